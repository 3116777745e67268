"""THE HOSTILE CORPUS: every form and JSON endpoint, found from app.url_map and the forms its pages
render (so routes and fields added later are covered), gets hostile values — control characters,
unpaired surrogates, line breaks, bidi overrides, 100k characters, emoji, huge and non-finite
numbers, 20-digit ids, bad dates, a field twice, a field missing — on SQLite and PostgreSQL. Never a
500; nothing stored that a page or an export cannot show; then every page and export is rendered on
the data that got in.

Values are sampled per field (a rotation through the corpus, seeded), not a cartesian product: each
field gets a few hostile values with the rest of its form left as the page filled it in, so the
value reaches the field's own checks instead of being stopped by a neighbour.
"""
import io
import json
import logging
import random
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.common.access import PUBLIC, access_rule_for
from app.common.text import is_hostile
from app.extensions import db
from tests.security.routes import STATE_CHANGING, allows, routes, sign_in_directly, url_for_route

pytestmark = pytest.mark.app_config(PROPAGATE_UNEXPECTED=False)

LONG = "长" * 100_000
TEXT_CORPUS = [
    "\x00", "甲\x00乙", "a\x1bb", "\x07响铃", "\x85", "a\r\nb", "\r\n", "\u202egnp.exe", "😀👍🏽", LONG,
    "1e23", "-1e23", "100000000000000000000000", "99999999999999999999", "1e309", "NaN", "-0", "²",
    "2026-02-30", "99999-01-01", "2026-13-01T25:61", "", " ", "'; DROP TABLE users; --", "=1+1",
]
JSON_CORPUS = [
    *TEXT_CORPUS, "\ud800", "a\udfffb", 10**23, -(10**23), 99999999999999999999, 1e308, float("nan"),
    float("inf"), -1, 0, True, None, [], ["\x00"], ["\ud800", "a\r\nb"], {"x": "\x00"}, [[["deep"]]],
]
# JSON endpoints read these names (the answering page's JavaScript sends them); pages render no form for them.
JSON_FIELDS = ("position", "response", "seq", "answers", "reason")
VALUES_PER_FIELD = 3
JSON_BODIES_PER_ROUTE = 8  # where no page renders a form (JSON endpoints, buttons); 2 where one does


class FormFinder(HTMLParser):
    """The forms on a page: action, method and fields with the values the page filled in."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").upper(),
                          "fields": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            values = self._form["fields"].setdefault(attrs["name"], [])
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    values.append(attrs.get("value") or "y")
            elif kind not in ("submit", "button", "image", "reset"):
                values.append(attrs.get("value") or "")
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self._form["fields"].setdefault(self._select, [])
        elif tag == "option" and self._select is not None:
            values = self._form["fields"][self._select]
            if "selected" in attrs or not values:
                if "selected" in attrs:
                    values.clear()
                values.append(attrs.get("value") or "")
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self._form["fields"].setdefault(self._textarea, [""])
        elif tag == "button" and attrs.get("name"):
            self._form["fields"].setdefault(attrs["name"], [attrs.get("value") or ""])

    def handle_data(self, data):
        if self._form is not None and self._textarea is not None:
            self._form["fields"][self._textarea] = [data]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def identity_for(world, endpoint):
    """Someone the endpoint's access rule lets in (an organiser-level admin first, then a member)."""
    rule = access_rule_for(endpoint)
    if rule == PUBLIC:
        return None  # the sign-in page: as a visitor
    for user in (world.admin, world.member, world.liaison_b, world.judge, None):
        if allows(user, rule):
            return user
    return None


def client_as(app, user):
    return sign_in_directly(app, user) if user is not None else app.test_client()


def discover_forms(app, world, get_routes, method: str = "POST") -> dict[str, list[tuple[str, dict]]]:
    """endpoint -> [(action URL, {field: [values]})] for every form (of `method`) any page renders."""
    adapter = app.url_map.bind("localhost")
    found: dict[str, list[tuple[str, dict]]] = {}
    for route in get_routes:
        user = identity_for(world, route.endpoint)
        url = url_for_route(app, route, world.values)
        response = client_as(app, user).get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        finder = FormFinder()
        finder.feed(response.get_data(as_text=True))
        for form in finder.forms:
            if form["method"] != method:
                continue
            action = form["action"] or url
            parts = urlsplit(action)
            try:
                endpoint, _args = adapter.match(parts.path, method=method)
            except Exception:  # an action elsewhere (none expected) is not ours to post to
                continue
            entries = found.setdefault(endpoint, [])
            if all(existing != action for existing, _fields in entries) and len(entries) < 2:
                entries.append((action, form["fields"]))
    return found


def form_bodies(fields: dict, rng: random.Random):
    """(label, body) pairs: baseline, each field with sampled hostile values, missing and twice."""
    yield "as the page filled it in", {name: list(values) for name, values in fields.items()}
    for name in fields:
        for value in rng.sample(TEXT_CORPUS, VALUES_PER_FIELD):
            body = {key: list(values) for key, values in fields.items()}
            body[name] = [value]
            yield f"{name}={value[:20]!r}", body
        body = {key: list(values) for key, values in fields.items() if key != name}
        yield f"{name} missing", body
    twice = {name: (values or [""]) + [rng.choice(TEXT_CORPUS)] for name, values in fields.items()}
    yield "every field twice", twice
    for value in ("\x00", "a\x1bb", "99999999999999999999", "NaN"):
        yield f"every field {value!r}", {name: [value] for name in fields}


def json_bodies(fields: dict, rng: random.Random):
    names = list(dict.fromkeys([*fields, *JSON_FIELDS]))
    yield "empty object", {}
    for index in range(2 if fields else JSON_BODIES_PER_ROUTE):
        body = {name: rng.choice(JSON_CORPUS) for name in names}
        if index % 2:
            body["answers"] = [{"position": rng.choice(JSON_CORPUS), "response": rng.choice(JSON_CORPUS),
                                "seq": rng.choice(JSON_CORPUS)}]
        yield f"json #{index}", body


DEEP_JSON = "[" * 100_000 + "]" * 100_000  # past the JSON parser's recursion limit


def post(client, url: str, body, *, as_json: bool):
    if body is DEEP_JSON:
        return client.post(url, data=body, content_type="application/json")
    if as_json:
        # allow_nan: NaN and Infinity are what a hostile client sends; the server must refuse them.
        return client.post(url, data=json.dumps(body, allow_nan=True), content_type="application/json")
    return client.post(url, data=body)


def stored_hostile_values() -> list[str]:
    """Every stored text (and JSON text) holding a character a page or an export cannot show."""
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).mappings():
            for column, value in row.items():
                for text in _texts(value):
                    if is_hostile(text):
                        found.append(f"{table.name}.{column}: {text[:60]!r}")
    return found


def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)


def test_the_hostile_corpus_never_breaks_a_page_or_an_export(app, world, caplog):
    caplog.set_level(logging.ERROR, logger=app.logger.name)
    rng = random.Random(8)
    all_routes = routes(app)
    get_routes = [route for route in all_routes if route.method == "GET"]
    posting = [route for route in all_routes if route.method in STATE_CHANGING]
    # Destructive routes last, so the others still find their objects.
    posting.sort(key=lambda route: ("delete" in route.endpoint or "logout" in route.endpoint, str(route)))

    from quizzes.models import FixedPaperItem, Question

    # A fixed-paper row, so the paper form renders its rows, and a question left to add, so the add form shows.
    db.session.add(FixedPaperItem(quiz_id=world.values["quiz_id"], question_id=world.values["question_id"],
                                  position=1, points=1.0))
    db.session.add(Question(bank_id=world.values["bank_id"], question_type="judge", stem="另一题？",
                            stem_digest="1" * 64, options=[], answer=True, points=1.0))
    db.session.commit()
    member = client_as(app, world.member)  # the walking member's own open attempt, for the answering API
    started = member.post(f"/quizzes/{world.values['quiz_id']}/start")
    own_attempt = int(started.location.rstrip("/").split("/")[-1]) if started.status_code == 302 else None
    values = {**world.values, **({"attempt_id": own_attempt} if own_attempt else {})}

    forms = discover_forms(app, world, get_routes)
    assert {"auth.login", "quizzes.manage.add_to_paper", "quizzes.manage.save_fixed_paper"} <= set(forms)
    assert len(forms) >= 35, f"found forms for only {sorted(forms)}: is the page walk signed in?"
    failures, sent = [], 0
    for route in posting:
        user = identity_for(world, route.endpoint)
        targets = forms.get(route.endpoint) or [(url_for_route(app, route, values), {})]
        for url, fields in targets:
            if own_attempt and "/attempts/" in url:
                url = url_for_route(app, route, values)
            cases = [(label, body, False) for label, body in form_bodies(fields, rng)]
            cases += [(label, body, True) for label, body in json_bodies(fields, rng)]
            cases.append(("JSON nested 100,000 deep", DEEP_JSON, True))
            for label, body, as_json in cases:
                caplog.clear()
                response = post(client_as(app, user), url, body, as_json=as_json)
                sent += 1
                if response.status_code >= 500:
                    errors = [record.getMessage() + "\n" + (record.exc_text or "") for record in caplog.records]
                    failures.append(f"{route} {url} [{label}]: {response.status_code}\n" + "\n".join(errors)[-1500:])
                response.close()
    # Filters and searches are forms too: their fields go in the query string.
    filters = discover_forms(app, world, get_routes, method="GET")
    assert {"audit.index", "members.index", "quizzes.manage.fixed_paper"} <= set(filters)
    for endpoint, targets in filters.items():
        user = identity_for(world, endpoint)
        for url, fields in targets:
            for label, body in form_bodies(fields, rng):
                response = client_as(app, user).get(urlsplit(url).path, query_string=body)
                sent += 1
                if response.status_code >= 500:
                    failures.append(f"GET {url} ({endpoint}) [{label}]: {response.status_code}")
                response.close()
    assert not failures, f"{len(failures)} of {sent} hostile requests ended in a 5xx:\n\n" + "\n\n".join(failures[:15])

    db.session.rollback()
    assert stored_hostile_values() == [], "stored text that a page or an export cannot show"

    broken = []
    for route in get_routes:
        url = url_for_route(app, route, values)
        for who in (world.admin, world.member, world.liaison_b, world.judge):
            if not allows(who, access_rule_for(route.endpoint)):
                continue
            response = client_as(app, who).get(url)
            if response.status_code >= 500:
                broken.append(f"{route} {url} as {who.name}: {response.status_code}")
            elif response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet"):
                load_workbook(io.BytesIO(response.data))  # the export opens
    assert not broken, "pages or exports that broke on the data the corpus left:\n" + "\n".join(broken)
