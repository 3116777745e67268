"""The plug-in contract: each feature joins through its init_app, nothing registers on import, and the
platform runs without any feature."""
import ast
from pathlib import Path

import pytest

import quizzes  # noqa: F401  (imported on purpose: importing a feature must register nothing)
from app import create_app
from app.accounts.models import User
from app.extensions import db
from app.hooks import hooks_of
from tests.support import log_in

ROOT = Path(__file__).resolve().parents[2]
FEATURE_PACKAGES = ("quizzes", "events")


@pytest.fixture
def bare_app(tmp_path):
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "FEATURES": (),
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bare.db'}",
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})


def test_the_platform_starts_and_serves_without_any_feature(bare_app):
    hooks = hooks_of(bare_app)
    assert hooks.features == []
    assert not any(rule.endpoint.startswith("quizzes.") for rule in bare_app.url_map.iter_rules())
    assert {item.endpoint for item in hooks.navigation} == {
        "core.home", "members.index", "units.index", "campaigns.index", "audit.index",
        "participation_input.offline_list", "participation_input.exemption_list"}
    assert not hooks.home_sections and not hooks.campaign_sections and not hooks.participation_providers
    assert "quiz" not in bare_app.cli.commands and "members" in bare_app.cli.commands
    assert not any(code.startswith("quiz.") for code in hooks.action_labels)
    with bare_app.app_context():
        db.create_all()
        member = User(name="张三", staff_id="B000001", must_change_password=False)
        member.set_password("Passw0rd2026")
        db.session.add(member)
        db.session.commit()
        client = log_in(bare_app.test_client(), member)
        page = client.get("/").get_data(as_text=True)
    assert "首页" in page and "知识竞赛" not in page


def test_the_quiz_registers_everything_through_init_app(app):
    hooks = hooks_of(app)
    assert hooks.features == list(FEATURE_PACKAGES)
    endpoints = [item.endpoint for item in hooks.navigation]
    assert endpoints.index("core.home") < endpoints.index("quizzes.take.index") < endpoints.index("members.index")
    assert {"quizzes.take.index", "quizzes.practice.index", "quizzes.manage.index", "quizzes.reports.index",
            "quizzes.banks.index"} <= set(endpoints)
    assert [section.template for section in hooks.home_sections
            if section.template.startswith("quizzes/")] == ["quizzes/take/_home_section.html"]
    assert [section.template for section in hooks.campaign_sections
            if section.template.startswith("quizzes/")] == ["quizzes/take/_campaign_section.html"]
    assert str(hooks.action_labels["quiz.rescored"]) == "重新判分"
    assert str(hooks.target_labels["Quiz"]) == "知识竞赛"
    assert {loader.__name__ for loader in hooks.demo_loaders} >= {"load_demo_bank", "load_demo_quiz"}
    assert "quiz" in [provider.key for provider in hooks.participation_providers]
    assert any(check.__module__ == "quizzes.sections" for check in hooks.unit_deletion_checks)
    assert "quiz" in app.cli.commands


def test_the_exhibition_registers_everything_through_init_app(app):
    hooks = hooks_of(app)
    orders = {item.endpoint: item.order for item in hooks.navigation}
    assert 300 <= orders["exhibition.member.index"] < orders["exhibition.manage.index"] <= 309
    assert "exhibition/_home_section.html" in [section.template for section in hooks.home_sections]
    assert "exhibition/_campaign_section.html" in [section.template for section in hooks.campaign_sections]
    assert str(hooks.action_labels["exhibition.work.reject"]) == "作品退回"
    assert "load_demo_exhibition" in {loader.__name__ for loader in hooks.demo_loaders}
    assert {"exhibition_submitted", "exhibition_accepted"} <= {provider.key for provider in hooks.participation_providers}
    assert any(check.__module__ == "events.exhibition.services.sections" for check in hooks.unit_deletion_checks)


def test_two_apps_do_not_share_registrations(app, bare_app):
    assert hooks_of(app) is not hooks_of(bare_app)
    assert len(hooks_of(app).navigation) > len(hooks_of(bare_app).navigation)


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_platform_imports_no_feature_package():
    allowed = {ROOT / "app/models.py"}  # every table known to migrations and create_all
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        if path in allowed:
            continue
        for name in _imported_modules(path):
            if name.split(".")[0] in FEATURE_PACKAGES:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


def test_feature_modules_register_nothing_at_import_time():
    """No module-level call into the registries: registrations happen inside init_app only."""
    offenders = []
    for package in (*FEATURE_PACKAGES, "app"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                call = node.value if isinstance(node, ast.Expr) else None
                if isinstance(call, ast.Call):
                    name = ast.unparse(call.func)
                    if "register" in name or name.startswith("hooks.add_") or ".add_command" in name:
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert not offenders, offenders
