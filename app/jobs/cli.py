"""flask --app wsgi jobs worker: the consumer that runs queued jobs (imports, exports) off the request."""
import logging

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="后台任务（大批量导入、导出）。")


@jobs_cli.command("worker")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="同时执行的任务数（每个任务一个线程）。")
def worker_command(workers: int) -> None:
    """Run queued jobs until stopped (SIGINT: finish the current job first; SIGTERM: stop now)."""
    from app.common.jobs import huey_for

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    huey = huey_for(current_app)
    storage = "Redis" if current_app.config.get("REDIS_URL") else current_app.config.get("JOBS_SQLITE_PATH")
    click.echo(f"jobs worker: queue {huey.name!r} in {storage}, {workers} worker(s)")
    # Threads, not processes: a job is mostly database and openpyxl work, and its app context belongs
    # to this process's app (built by create_app() like the web server's). Periodic: the hourly
    # housekeeping (app/common/housekeeping.py); several workers may run it, it is idempotent.
    huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
