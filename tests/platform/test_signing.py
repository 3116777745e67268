"""The session cookie and CSRF tokens are checked with serializers kept per secret key."""
import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.support import DEFAULT_PASSWORD, log_in


def test_the_session_serializer_is_built_once_and_follows_the_secret_key(app, make_member):
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first  # not rebuilt per request
    client = log_in(app.test_client(), make_member())
    assert client.get("/").status_code == 200

    app.secret_key = "another key"  # a new key: cookies signed with the old one no longer sign anyone in
    assert interface.get_signing_serializer(app) is not first
    assert client.get("/").status_code == 302


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_csrf_token_signed_with_another_key_is_refused(app, make_member):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    forged = URLSafeTimedSerializer("not the app's key", salt="wtf-csrf-token").dumps(raw)
    member = make_member()
    form = {"login": member.staff_id, "password": DEFAULT_PASSWORD}

    assert client.post("/login", data={**form, "csrf_token": forged}).status_code == 400
    assert client.post("/login", data={**form, "csrf_token": token}).status_code == 302
