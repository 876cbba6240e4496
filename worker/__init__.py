"""The intake workers: Celery app, thin tasks, the ingest pipeline, data access and the CLI."""
