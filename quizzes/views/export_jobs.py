"""Starting a large results export as a job (the workbook is then downloaded from the job's page)."""
from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import Role, roles_required
from app.common.forms import ConfirmForm
from app.common.http import no_store
from app.errors import abort_with
from quizzes import exports
from quizzes import jobs as quiz_jobs

bp = Blueprint("export_jobs", __name__, url_prefix="/manage")


def offer_page(quiz, scope: int | None):
    """The page a large export's link opens: how big it is, and a button that starts the job."""
    from flask import make_response

    html = render_template("quizzes/reports/export_job.html", quiz=quiz, scope=scope, form=ConfirmForm(),
                           answers=exports.answer_count(quiz, scope))
    return no_store(make_response(html))


@bp.post("/<int:quiz_id>/export-job")
@roles_required(Role.ORGANISER, Role.LIAISON)
def start(quiz_id: int):
    from quizzes.views.reports import _keys_visible, _quiz_and_scope

    quiz, scope = _quiz_and_scope(quiz_id)
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("页面已过期或表单校验失败，请刷新页面后重试。"))
    job_id = quiz_jobs.start_results_export(quiz, scope, _keys_visible(quiz, scope), owner=current_user)
    return redirect(url_for("jobs.show", job_id=job_id))
