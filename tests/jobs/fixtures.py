"""Job fixtures (imported by the job tests): a real Huey consumer in a thread on the app's own queue, SQLite or Redis."""
import os
import uuid

import pytest

REDIS_TEST_URL = "redis://127.0.0.1:6379/5"  # never database 0; each test has its own queue name


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def queue_backend(request, app):
    """Run the test once with Huey's SQLite storage and once with Redis (its own queue name)."""
    if request.param == "redis-queue":
        if not redis_available():
            if os.environ.get("SAISHI_REQUIRE_REDIS") == "1":  # CI starts Redis: a skip would hide a failure
                pytest.fail("SAISHI_REQUIRE_REDIS=1 but Redis is not reachable at 127.0.0.1:6379")
            pytest.skip("Redis is not reachable at 127.0.0.1:6379")
        from app.common import jobs

        app.config.update(REDIS_URL=REDIS_TEST_URL, JOBS_QUEUE_NAME=f"saishi-test-{uuid.uuid4().hex}")
        jobs.init_app(app)  # the app's queue, now in Redis
    yield request.param
    if request.param == "redis-queue":
        app.extensions["huey"].flush()  # only this test's queue's keys


@pytest.fixture
def consumer(app):
    """start() a real Huey consumer (one worker thread) on the app's queue; stopped after the test."""
    started = []

    def start():
        huey = app.extensions["huey"]
        worker = huey.create_consumer(workers=1, worker_type="thread", periodic=False, initial_delay=0.05,
                                      max_delay=0.2, check_worker_health=False)
        worker._set_signal_handlers = lambda: None  # signals belong to pytest's main thread
        worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop(graceful=True)
