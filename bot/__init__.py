"""Loket: the application that owns the channels, routes conversations and keeps the archive."""
