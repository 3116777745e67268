"""gunicorn's settings for Saishi, read from the working directory by default (`gunicorn wsgi:app`
started in the project folder, as the README's deployment does). Settings on the command line (-w, -b)
still apply; this file adds one hook.

post_worker_init: each worker runs the app's warm-ups (app/common/warm_up.py) before it takes its first
request, so the first visitor of each worker is not the one who waits for what a worker keeps (the
running campaigns' participation figures: about half a second each at 20,000 members). Set
SAISHI_WARM_UP=0 for a pool that serves none of those pages (the sign-in pool). A warm-up task stops
warming after a few seconds (the participation one after WARM_UP_SECONDS): gunicorn takes a worker
silent for longer than its timeout (30 s) for a stuck one."""
import os


def post_worker_init(worker):
    if os.environ.get("SAISHI_WARM_UP", "1") == "0":
        return
    app = worker.wsgi
    if not hasattr(app, "extensions"):  # not a Flask app (wrapped by something else): nothing to warm
        return
    from app.common.warm_up import warm_up

    took = warm_up(app, between=worker.notify)  # the heartbeat: gunicorn's timeout counts from the last one
    worker.log.info("warmed up: %s", ", ".join(
        f"{name} {'failed' if seconds is None else f'{seconds * 1000:.0f} ms'}" for name, seconds in took.items())
        or "nothing registered")
