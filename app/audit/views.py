"""The audit log viewer: administrators read it; nothing here edits or deletes an entry."""
from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from app.audit import services
from app.common.access import Role, roles_required

bp = Blueprint("audit", __name__, url_prefix="/audit")

PER_PAGE = 50

# Chinese labels for action codes. Other features add theirs with register_action_labels({...});
# codes without a label are shown as they are.
ACTION_LABELS: dict[str, str] = {
    "account.locked": _l("账号锁定"),
    "password.changed": _l("修改密码"),
    "password.reset": _l("重置密码"),
    "roles.changed": _l("调整角色"),
    "members.imported": _l("导入名册"),
    "member.created": _l("新增人员"),
    "member.updated": _l("修改人员信息"),
    "unit.created": _l("新增单位"),
    "unit.branch_created": _l("新增支部"),
    "unit.renamed": _l("单位（支部）改名"),
    "unit.deleted": _l("删除单位（支部）"),
    "unit.reordered": _l("调整单位（支部）顺序"),
    "campaign.created": _l("新建专项活动"),
    "campaign.updated": _l("修改专项活动"),
    "campaign.deleted": _l("删除专项活动"),
    "campaign.phase_added": _l("添加活动阶段"),
    "campaign.phase_updated": _l("修改活动阶段"),
    "campaign.phase_removed": _l("删除活动阶段"),
    "campaign.phases_reordered": _l("调整活动阶段顺序"),
}

TARGET_LABELS: dict[str, str] = {
    "User": _l("人员"),
    "Unit": _l("单位"),
    "Campaign": _l("专项活动"),
    "CampaignPhase": _l("活动阶段"),
}


def register_action_labels(labels: dict[str, str], targets: dict[str, str] | None = None) -> None:
    """Let another feature name its own action codes (and target types) in the viewer."""
    ACTION_LABELS.update(labels)
    TARGET_LABELS.update(targets or {})


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def target_label(target_type: str | None, target_id: int | None) -> str:
    if not target_type:
        return ""
    name = str(TARGET_LABELS.get(target_type, target_type))
    return f"{name} #{target_id}" if target_id is not None else name


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    action = request.args.get("action", "").strip()[:64]
    actor = request.args.get("actor", "").strip()[:64]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    actor_ids = services.actor_ids_matching(actor) if actor else None
    entries = services.recent_entries(action=action or None, actor_ids=actor_ids, page=page,
                                      per_page=PER_PAGE)
    codes = sorted(set(ACTION_LABELS) | set(services.actions_in_use()))
    # Labels only (grouped by feature, as the codes sort); an action without a label yet shows its code.
    choices = [(code, action_label(code)) for code in codes]
    return render_template(
        "audit/index.html", entries=entries, action=action, actor=actor, choices=choices,
        actor_unknown=bool(actor) and not actor_ids, action_label=action_label, target_label=target_label,
    )
