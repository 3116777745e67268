"""Browser tests: Debian's chromium driven by Playwright's sync API against a live server.

    def test_something(live_server, phone_page):
        phone_page.goto(live_server.url("/login"))

* `live_server`: the test's app (temporary SQLite file, or the PostgreSQL test database when
  TEST_DATABASE_URL is set) served by werkzeug on 127.0.0.1 and a free port, in a background thread,
  with CSRF ON as in production. One per test, so it works per xdist worker. Data made with the usual
  factories is visible to it; call `live_server.settle()` after making data (SQLite: the test thread's
  open transaction would otherwise hold the write lock the server needs).
* `phone_page` (Pixel 7), `tablet_page` (iPad gen 7), `browser_page(device, **context_options)`:
  zh-CN pages. A failing test leaves a screenshot and the page's HTML under test-artifacts/. Content
  Security Policy violations and uncaught script errors fail the test.
* Every test here is marked `browser`. Without /usr/bin/chromium they skip, unless
  SAISHI_REQUIRE_BROWSER=1 (CI), where they fail. Never run `playwright install`.
"""
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.extensions import db

CHROMIUM = os.environ.get("SAISHI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
REQUIRE_BROWSER = os.environ.get("SAISHI_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HERE = Path(__file__).resolve().parent
DEFAULT_TIMEOUT_MS = 15_000


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _unavailable(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"SAISHI_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright_instance():
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    try:
        launched = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as error:  # a broken chromium is "missing" too
        _unavailable(f"chromium did not start: {error}")
    yield launched
    launched.close()


# ---------------------------------------------------------------- live server


@dataclass
class LiveServer:
    base_url: str

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    @staticmethod
    def settle() -> None:
        """End the test thread's transaction so the server's requests are not kept waiting."""
        db.session.commit()


@pytest.fixture
def live_server(app):
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
        db.session.remove()


# ---------------------------------------------------------------- pages


@dataclass
class PageProblems:
    messages: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        def on_console(message):
            if message.type == "error" and "Content Security Policy" in message.text:
                self.messages.append(f"CSP violation on {page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.messages.append(f"script error on {page.url}: {error}"))


def _artifact_name(nodeid: str, label: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-150:] + f"-{label}"


@pytest.fixture
def browser_page(browser, playwright_instance, request):
    """browser_page("Pixel 7", viewport=…) -> a new page in a fresh zh-CN context for that device."""
    opened = []

    def open_page(device: str, **context_options):
        options = {**playwright_instance.devices[device], "locale": "zh-CN", **context_options}
        options.pop("default_browser_type", None)
        context = browser.new_context(**options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page = context.new_page()
        problems = PageProblems()
        problems.watch(page)
        opened.append((device, context, page, problems))
        return page

    yield open_page

    failed = any(getattr(request.node, f"rep_{when}", None) is not None
                 and getattr(request.node, f"rep_{when}").failed for when in ("setup", "call"))
    problems = []
    for device, context, page, watcher in opened:
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = _artifact_name(request.node.nodeid, re.sub(r"\W+", "_", device))
            try:
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
                (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
            except Exception as error:  # the screenshot must not hide the real failure
                print(f"could not save a screenshot: {error}")
        problems.extend(watcher.messages)
        context.close()
    if problems and not failed:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def phone_page(browser_page):
    """A Pixel 7 (412 × 839, touch, Android Chrome user agent), zh-CN."""
    return browser_page("Pixel 7")


@pytest.fixture
def tablet_page(browser_page):
    """An iPad (gen 7) portrait (810 × 1080, touch), zh-CN; rendered by chromium."""
    return browser_page("iPad (gen 7)")
