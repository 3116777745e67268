"""Jobs: long imports and exports run off the request, with a progress page that survives a reload.

The mechanism (queue, Job table, running a task in an app context) is app/common/jobs.py; here are
the pages people watch (views.py: progress, status JSON, the private result file) and
`flask jobs worker` (cli.py), the consumer that `make run` starts beside the web server.
"""


def init_app(app) -> None:
    """Register the job pages and `flask jobs`."""
    from app.jobs.cli import jobs_cli
    from app.jobs.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(jobs_cli)
