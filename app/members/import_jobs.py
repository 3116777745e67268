"""Large roster imports run as a job (app/common/jobs.py): same checks, same all-or-nothing rule."""
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.common import jobs
from app.extensions import db
from app.members import exports
from app.members.importing import PASSWORD_RANDOM, import_roster

KIND = "members.import"
STAGES = {
    "reading": _l("第 1 步（共 4 步）：读取表格"),
    "checking": _l("第 2 步（共 4 步）：检查每一行"),
    "passwords": _l("第 3 步（共 4 步）：生成新成员的初始密码"),
    "writing": _l("第 4 步（共 4 步）：写入名册"),
}


def runs_as_job(content: bytes) -> bool:
    """A roster with more rows than JOBS_SYNC_MAX_ROWS (as the file declares them) is imported as a job."""
    rows = jobs.estimated_rows(content)
    return rows is not None and rows > jobs.sync_limit("JOBS_SYNC_MAX_ROWS")


def start(content: bytes, *, owner: User, filename: str, create_units: bool, password_mode: str) -> int:
    """Queue the import of `content` for `owner` (commits); the job's id."""
    return jobs.start_job(KIND, owner=owner, upload=content, params={
        "filename": "".join(char for char in filename if char.isprintable())[:200],
        "create_units": bool(create_units), "password_mode": password_mode,
        "back_url": url_for("members.import_page"), "back_label": _("导入人员名册"),
    })


@jobs.job_kind(KIND, title=_l("导入人员名册"), result_template="members/_import_job_result.html", stages=STAGES)
def run_import(job: jobs.JobContext, progress: jobs.Progress) -> jobs.Outcome:
    content = job.input()
    actor = db.session.get(User, job.owner_id)
    db.session.rollback()  # read the file with no transaction open
    try:
        result = import_roster(content, actor=actor, create_units=job.params["create_units"],
                               password_mode=job.params["password_mode"], filename=job.params.get("filename", ""),
                               progress=progress)
    except IntegrityError:
        db.session.rollback()
        raise jobs.JobProblems([jobs.problem(_("导入时名册被他人同时修改，没有导入任何数据，请重新导入。"))]) from None
    summary = {
        "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
        "total": result.total, "units_created": result.units_created[:200],
        "branches_created": result.branches_created[:200], "groups_created": result.groups_created[:200],
        "password_mode": result.password_mode,
        "passwords": len(result.passwords), "download_label": _("下载初始密码表"),
    }
    if job.params["password_mode"] == PASSWORD_RANDOM and result.passwords:
        return jobs.Outcome(summary, exports.password_sheet(result.passwords), _("初始密码.xlsx"))
    return jobs.Outcome(summary)
