"""Units (单位) and their branches (支部): ordering, naming, deletion, headcounts.

models.py the unit tree · services.py the rules (names unique per parent, deletion only when
nothing refers to the unit: members, branches, liaisons, and each feature's registered check).
"""


def init_app(app) -> None:
    """Register the units pages, their menu entry and their audit labels."""
    from flask_babel import lazy_gettext as _l

    from app import hooks
    from app.units.views import bp

    app.register_blueprint(bp)
    hooks.add_navigation(app, "units.index", _l("单位"), order=810)
    hooks.add_audit_labels(app, {
        "unit.created": _l("新增单位"),
        "unit.branch_created": _l("新增支部"),
        "unit.renamed": _l("单位（支部）改名"),
        "unit.deleted": _l("删除单位（支部）"),
        "unit.reordered": _l("调整单位（支部）顺序"),
    }, {"Unit": _l("单位")})
