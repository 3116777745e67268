"""Friendly error pages (HTML) or JSON for API calls; no request ends in a bare stack trace."""
from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db


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
        return render_error(error.code, description)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if app.testing and app.config.get("PROPAGATE_UNEXPECTED", True):
            raise error
        return render_error(InternalServerError.code)


def abort_with(code: int, message: str):
    """Abort the request with `code`, showing `message` (already translated) to the user."""
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[code]()
    error.saishi_message = message
    raise error
