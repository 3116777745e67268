"""Friendly error pages (HTML) or JSON for API calls; no request ends in a bare stack trace."""
from flask import Response, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from app.extensions import db

_FALLBACK_500 = (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>500</title>'
    "<h1>服务器出了点问题，您的数据没有丢失，请稍后重试。</h1>"
    "<p>Something went wrong on the server. Your data is safe; please try again shortly.</p></html>"
)


def _messages():
    return {
        400: _("请求有误，请检查后重试。"),
        401: _("请先登录。"),
        403: _("您没有权限访问此页面。"),
        404: _("页面不存在或已被删除。"),
        405: _("不支持此操作方式。"),
        409: _("数据已被他人修改，请刷新后重试。"),
        413: _("上传的文件太大，请压缩或拆分后再上传。"),
        429: _("操作过于频繁，请稍后再试。"),
        500: _("服务器出了点问题，您的数据没有丢失，请稍后重试。"),
        503: _("服务暂时不可用，请稍后重试。"),
    }


def wants_json() -> bool:
    if request.is_json or request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(code: int, message: str | None = None):
    message = message or _messages().get(code) or _messages()[400]
    if wants_json():
        return jsonify(error=message, status=code), code
    return render_template("errors/error.html", code=code, message=message), code


def register_errors(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_error(400, _("页面已过期或表单校验失败，请刷新页面后重试。"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        description = getattr(error, "saishi_message", None)
        response = make_response(render_error(error.code, description))
        allow = dict(error.get_headers()).get("Allow")
        if allow:  # a 405 names the methods that do work
            response.headers["Allow"] = allow
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if app.testing and app.config.get("PROPAGATE_UNEXPECTED", True):
            raise error
        # Database unreachable, locked or deadlocked: transient, so "try again shortly" (503), not a bug.
        code = ServiceUnavailable.code if isinstance(error, OperationalError) else InternalServerError.code
        try:
            return render_error(code)
        except Exception:  # the page itself failed (database down?): a page that needs nothing
            app.logger.exception("The error page failed too")
            return Response(_FALLBACK_500, status=code, mimetype="text/html")


def abort_with(code: int, message: str):
    """Abort the request with `code`, showing `message` (already translated) to the user."""
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[code]()
    error.saishi_message = message
    raise error
