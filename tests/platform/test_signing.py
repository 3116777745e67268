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


def test_a_cookie_already_verified_is_not_hashed_again_and_a_tampered_one_still_fails(app, make_member, monkeypatch):
    from itsdangerous.signer import HMACAlgorithm

    from app.common import signing

    client = log_in(app.test_client(), make_member())
    for _ in range(2):  # the first page may add its CSRF token to the session: a new cookie, verified once
        assert client.get("/").status_code == 200
    hmacs = []
    real = HMACAlgorithm.verify_signature
    monkeypatch.setattr(HMACAlgorithm, "verify_signature", lambda *args: hmacs.append(1) or real(*args))
    for _ in range(3):  # the same cookie, as every autosave of a page sends it
        assert client.get("/").status_code == 200
    assert hmacs == []

    cookie = client.get_cookie("session")
    payload, _, signature = cookie.value.rpartition(".")
    tampered = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    client.set_cookie("session", tampered)
    assert client.get("/").status_code == 302  # not signed in: the changed signature is checked, and fails
    assert hmacs  # it was computed

    app.secret_key = "rotated key"  # a signature verified under the old key is not taken as verified
    client.set_cookie("session", cookie.value)
    assert client.get("/").status_code == 302
    assert len(signing._verified) >= 1


def test_a_cookie_already_decoded_is_not_decoded_again_and_each_reader_gets_its_own_copy(app, monkeypatch):
    import time

    from itsdangerous import SignatureExpired

    serializer = app.session_interface.get_signing_serializer(app)
    plain = serializer.dumps({"_user_id": "7", "_fresh": True})
    nested = serializer.dumps({"_user_id": "7", "_flashes": [["info", "已保存"]]})
    decodes = []
    from flask.json.tag import TaggedJSONSerializer

    original = TaggedJSONSerializer.loads  # Flask's tagged JSON, after base64 and zlib
    monkeypatch.setattr(TaggedJSONSerializer, "loads", lambda self, value: decodes.append(1) or original(self, value))

    first = serializer.loads(plain)
    first["_user_id"] = "8"  # a request changing its session changes no other request's
    assert serializer.loads(plain) == {"_user_id": "7", "_fresh": True} and len(decodes) == 1

    serializer.loads(nested)["_flashes"].append(["error", "x"])  # lists inside: decoded every time
    assert serializer.loads(nested)["_flashes"] == [["info", "已保存"]] and len(decodes) == 3

    time.sleep(1.1)
    with pytest.raises(SignatureExpired):  # the age is still checked on every read
        serializer.loads(plain, max_age=0)
