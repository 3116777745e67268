"""Every response carries the security headers; every error is a friendly page (or JSON for API
callers); nothing ends in a bare 500."""
import pytest
from werkzeug.exceptions import Forbidden

from app import create_app
from app.common.access import AUTHENTICATED, Role, access_rule_for, public
from app.errors import abort_with

EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def assert_security_headers(response):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, response
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    for header, value in EXPECTED_HEADERS.items():
        assert response.headers.get(header) == value, (header, response)


@pytest.fixture
def failing_app(app):
    """The app with extra test-only views that fail in various ways (added before the first request)."""

    @public
    def explode():
        raise RuntimeError("boom")

    @public
    def forbidden():
        abort_with(403, "只有组织方可以查看")

    @public
    def plain_forbidden():
        raise Forbidden()

    app.add_url_rule("/_test/explode", "test_explode", explode, methods=["GET", "POST"])
    app.add_url_rule("/_test/forbidden", "test_forbidden", forbidden)
    app.add_url_rule("/_test/plain-forbidden", "test_plain_forbidden", plain_forbidden)
    return app


@pytest.mark.parametrize("path", ["/login", "/healthz", "/static/css/app.css", "/static/favicon.svg",
                                  "/no-such-page", "/"])
def test_security_headers_on_pages_redirects_static_and_errors(client, path):
    assert_security_headers(client.get(path))


def test_security_headers_on_signed_in_pages_and_405(client_for, make_member):
    client = client_for(make_member())
    assert_security_headers(client.get("/"))
    assert_security_headers(client.get("/logout"))  # 405


def test_security_headers_on_the_500_page(failing_app):
    failing_app.config["PROPAGATE_UNEXPECTED"] = False
    assert_security_headers(failing_app.test_client().get("/_test/explode"))


def test_404_is_a_friendly_chinese_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "页面不存在或已被删除" in body
    assert "返回首页" in body
    assert '<html lang="zh-CN">' in body


def test_405_is_a_friendly_page_that_names_the_allowed_methods(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "不支持此操作方式" in response.get_data(as_text=True)
    assert "POST" in response.headers["Allow"]


def test_403_is_a_friendly_page_with_the_views_message(failing_app):
    client = failing_app.test_client()
    response = client.get("/_test/forbidden")
    assert response.status_code == 403
    assert "只有组织方可以查看" in response.get_data(as_text=True)
    response = client.get("/_test/plain-forbidden")
    assert response.status_code == 403
    assert "您没有权限访问此页面" in response.get_data(as_text=True)


def test_member_refused_a_staff_page_sees_the_403_page(app, client_for, make_member):
    staff_only = sorted(rule.rule for rule in app.url_map.iter_rules()
                        if "GET" in rule.methods and not rule.arguments
                        and isinstance(access_rule_for(rule.endpoint), tuple)
                        and not {Role.MEMBER, AUTHENTICATED} & set(access_rule_for(rule.endpoint)))
    assert staff_only, "no staff-only page without arguments is registered"
    response = client_for(make_member()).get(staff_only[0])
    assert response.status_code == 403
    assert "您没有权限访问此页面" in response.get_data(as_text=True)
    assert_security_headers(response)


def test_too_large_upload_is_a_friendly_413_in_chinese(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"login": "x" * 4096, "password": "y"})
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "上传的文件太大，请压缩或拆分后再上传" in body
    assert_security_headers(response)


def test_too_large_upload_from_a_script_gets_json(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"login": "x" * 4096}, headers={"Accept": "application/json"})
    assert response.status_code == 413
    assert response.json["status"] == 413
    assert "上传的文件太大" in response.json["error"]


@pytest.mark.parametrize(("method", "path", "status"), [
    ("get", "/no-such-page", 404),
    ("put", "/login", 405),
    ("get", "/_test/forbidden", 403),
])
def test_json_callers_get_json_errors(failing_app, method, path, status):
    client = failing_app.test_client()
    response = getattr(client, method)(path, headers={"Accept": "application/json"})
    assert response.status_code == status
    assert response.is_json
    assert response.json["status"] == status
    assert response.json["error"]


def test_json_body_posts_get_json_errors(client):
    response = client.post("/no-such-page", json={"a": 1})
    assert response.status_code == 404
    assert response.is_json


def test_anonymous_json_caller_gets_401_not_a_redirect(client):
    response = client.get("/account", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.is_json
    assert response.json["error"] == "请先登录。"


def test_unexpected_failure_renders_the_500_page(failing_app):
    failing_app.config["PROPAGATE_UNEXPECTED"] = False
    client = failing_app.test_client()
    response = client.get("/_test/explode")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "服务器出了点问题，您的数据没有丢失" in body
    assert "RuntimeError" not in body and "Traceback" not in body
    json_response = client.post("/_test/explode", json={})
    assert json_response.status_code == 500
    assert json_response.json["status"] == 500


def test_500_page_falls_back_to_plain_html_when_the_error_page_itself_fails(failing_app):
    """The error page needs templates, the signed-in user, the database…; if rendering it fails too,
    a plain built-in page is sent rather than a stack trace."""
    failing_app.config["PROPAGATE_UNEXPECTED"] = False

    @failing_app.route("/_test/broken-page")
    @public
    def broken_page():
        raise RuntimeError("boom")

    @failing_app.context_processor
    def broken_context():
        from flask import request

        if request.path == "/_test/broken-page":
            raise RuntimeError("template context is broken too")
        return {}

    response = failing_app.test_client().get("/_test/broken-page")
    assert response.status_code == 500
    assert "服务器出了点问题" in response.get_data(as_text=True)
    assert_security_headers(response)


def test_unexpected_failures_propagate_in_tests_by_default(failing_app):
    with pytest.raises(RuntimeError, match="boom"):
        failing_app.test_client().get("/_test/explode")


def test_production_mode_never_propagates(monkeypatch, tmp_path):
    """Outside testing, PROPAGATE_UNEXPECTED is irrelevant: the 500 page is always rendered."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"}, instance_path=tmp_path)

    @app.route("/_test/explode")
    @public
    def explode():
        raise RuntimeError("boom")

    response = app.test_client().get("/_test/explode")
    assert response.status_code == 500
    assert "服务器出了点问题" in response.get_data(as_text=True)
