"""Channel adapters: turn a platform's request into one inbound message, send outbound messages."""
