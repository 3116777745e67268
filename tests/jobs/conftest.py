"""The job fixtures, for every test in tests/jobs (tests elsewhere import them from tests.jobs.fixtures)."""
from tests.jobs.fixtures import consumer, queue_backend  # noqa: F401
