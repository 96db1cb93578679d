"""Fixtures of the audit log's tests (the worker's pool is the root conftest's `pool`)."""
