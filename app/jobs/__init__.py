"""Jobs: long imports and exports run off the request, with a progress page that survives a reload.

The mechanism (queue, Job table, running a task in an app context) is app/common/jobs.py; here are
the pages people watch (views.py: progress, status JSON, the private result file) and
`flask jobs worker` (cli.py), the consumer that `make run` starts beside the web server.
"""


def init_app(app) -> None:
    """Register the job pages, `flask jobs`, the hourly housekeeping and its platform tidy-ups."""
    from app import hooks
    from app.common import housekeeping, uploads
    from app.common.jobs import purge_expired_files, purge_finished_jobs
    from app.jobs.cli import jobs_cli
    from app.jobs.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(jobs_cli)
    housekeeping.init_app(app)
    hooks.add_housekeeping(app, "jobs.expired_files", purge_expired_files)
    hooks.add_housekeeping(app, "jobs.finished_rows", purge_finished_jobs)
    hooks.add_housekeeping(app, "uploads.abandoned_staging", uploads.purge_staged)
