"""The audit log viewer: administrators read it; nothing here edits or deletes an entry."""
from flask import Blueprint, render_template, request

from app.audit import services
from app.common.access import Role, roles_required
from app.common.http import int_arg
from app.hooks import hooks_of

bp = Blueprint("audit", __name__, url_prefix="/audit")

PER_PAGE = 50


def action_label(code: str) -> str:
    """The name a package gave an action code (hooks.add_audit_labels), or the code itself."""
    return str(hooks_of().action_labels.get(code, code))


def target_label(target_type: str | None, target_id: int | None) -> str:
    if not target_type:
        return ""
    name = str(hooks_of().target_labels.get(target_type, target_type))
    return f"{name} #{target_id}" if target_id is not None else name


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    action = request.args.get("action", "").strip()[:64]
    actor = request.args.get("actor", "").strip()[:64]
    page = int_arg("page", 1, minimum=1, strict=False)
    actor_ids = services.actor_ids_matching(actor) if actor else None
    entries = services.recent_entries(action=action or None, actor_ids=actor_ids, page=page,
                                      per_page=PER_PAGE)
    codes = sorted(set(hooks_of().action_labels) | set(services.actions_in_use()))
    # Labels only (grouped by feature, as the codes sort); an action without a label yet shows its code.
    choices = [(code, action_label(code)) for code in codes]
    return render_template(
        "audit/index.html", entries=entries, action=action, actor=actor, choices=choices,
        actor_unknown=bool(actor) and not actor_ids, action_label=action_label, target_label=target_label,
    )
