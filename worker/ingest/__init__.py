"""The ingest path: decode messages, decide with the rules, sanitize, store, and run to the end."""
