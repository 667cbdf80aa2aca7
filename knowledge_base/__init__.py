"""The knowledge base: versioned answers that comms staff verify, and the retrieval that
finds them."""
