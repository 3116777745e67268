"""Constants and helpers that tests import (fixtures live in conftest.py and return callables)."""
import os
from datetime import datetime

DEFAULT_PASSWORD = "Passw0rd2026"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
# The quiz tests' stopped clock (the quiz_clock fixture): 1 March 2026, 10:00 in Shanghai.
QUIZ_START = datetime(2026, 3, 1, 2, 0, 0)


def is_postgres() -> bool:
    """Whether this run's database is PostgreSQL (TEST_DATABASE_URL)."""
    return POSTGRES_URL.startswith("postgresql")


def log_in(test_client, user, password: str = DEFAULT_PASSWORD):
    """Sign `test_client` in as `user` through the login form; returns the client."""
    response = test_client.post("/login", data={"login": user.staff_id, "password": password})
    assert response.status_code == 302, f"login failed for {user.staff_id}: {response.status_code}"
    return test_client


def layer_of(app, kind):
    """The WSGI layer of type `kind` wrapped around `app`'s Flask dispatch (HealthCheck, the autosave, …)."""
    layer = app.wsgi_app
    while layer is not None and not isinstance(layer, kind):
        layer = getattr(layer, "wsgi_app", None) or getattr(layer, "app", None)
    assert layer is not None, f"no {kind.__name__} around the app"
    return layer


def assert_no_horizontal_scroll(page, attempts: int = 3):
    """Fail if the page in `page` (Playwright) is wider than its viewport, measured once it has loaded.

    A click that navigates can leave the page between documents when the measure runs (no
    documentElement yet, or the context destroyed mid-call), so the measure waits for a complete
    document and is taken again if a navigation swapped it out.
    """
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(attempts):
        try:
            page.wait_for_function("document.readyState === 'complete' && document.documentElement !== null")
            widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            break
        except PlaywrightError:
            if attempt == attempts - 1:
                raise
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways at {widths[1]} px: content is {widths[0]} px wide"


def forget_kept(app, stores=("participation.figures", "participation.attendance", "participation.tally")) -> None:
    """Empty worker memos of `app` (app/common/worker_memo.py), so the next view computes again."""
    for store in stores:
        app.extensions.pop(store, None)
