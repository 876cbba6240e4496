"""Micro-batching of intake messages inside the worker: the consumer buffers, the pool processes."""
