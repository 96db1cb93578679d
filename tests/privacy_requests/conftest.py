"""The app with its files in a folder of the test's own, so that an erasure's files can be seen
to go (the fixtures of tests/jobs/test_discarded_files.py)."""

from tests.jobs.test_discarded_files import app, files_dir  # noqa: F401  (fixtures)
