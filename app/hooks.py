"""The plug-in points: how a feature (quizzes, events, …) joins the platform.

A feature package exposes `init_app(app)` and registers everything there, explicitly, through the
functions below; nothing registers itself as a side effect of being imported. `create_app()` calls
each feature's `init_app` from `register_features`. The registries belong to the app (not to a
module), so an app built without a feature simply lacks its entries, and two apps never share them.

    def init_app(app):
        app.register_blueprint(bp)
        hooks.add_navigation(app, "speech.index", _l("演讲比赛"), order=200)
        hooks.add_campaign_section(app, "speech/_campaign_section.html", campaign_section)
        hooks.add_audit_labels(app, {"speech.sheet_unlocked": _l("解锁评分表")}, {"Contest": _l("演讲比赛")})
        hooks.add_demo_loader(app, load_demo, logins=[DemoLogin(...)])
        hooks.add_unit_deletion_check(app, contests_naming_unit)
        hooks.add_participation_provider(app, ParticipationProvider("speech", _l("演讲比赛"), …))
        hooks.add_housekeeping(app, "speech.unused_manuscripts", purge_unused_manuscripts)
        app.cli.add_command(speech_cli)

Section context functions return a dict for their template (as `section`), or None to hide it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

EXTENSION_KEY = "saishi.hooks"


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # a lazy string
    order: int


@dataclass(frozen=True)
class Section:
    template: str
    context: Callable[..., dict | None] | None = None
    order: int = 100


@dataclass(frozen=True)
class ParticipationProvider:
    """An activity's answer to "who took part in this campaign", one figure per provider key.

    `participants(campaign)` is a select of (user_id, took_part_at[, unit_id]) rows, one or more per
    member; unit_id is the unit the activity snapshotted (when absent or NULL, the member's unit at
    took_part_at decides). `definition` is shown beside the figure. `group` joins the figures of one
    activity (default: the key). `score(campaign)` optionally gives (user_id, score) for an average;
    `attendance(campaign)` optionally gives (user_id, invited, present[, unit_id]) for an attendance
    rate, and `attendance_changes(campaign, now)` the first instant after `now` at which those rows can
    change with no write (None: none to come); without it they are read again each minute.
    `counts_for_coverage` is the default of the per-campaign setting of that name."""

    key: str
    label: Any
    definition: Any
    participants: Callable[..., Any]
    kind: str = "members"
    group: str | None = None
    score: Callable[..., Any] | None = None
    attendance: Callable[..., Any] | None = None
    attendance_changes: Callable[..., Any] | None = None
    counts_for_coverage: bool = True

    @property
    def group_key(self) -> str:
        return self.group or self.key


@dataclass
class Hooks:
    """Everything the features registered with one app."""

    navigation: list[NavItem] = field(default_factory=list)
    home_sections: list[Section] = field(default_factory=list)
    campaign_sections: list[Section] = field(default_factory=list)
    action_labels: dict[str, Any] = field(default_factory=dict)
    target_labels: dict[str, Any] = field(default_factory=dict)
    demo_loaders: list[Callable] = field(default_factory=list)
    demo_final_loaders: list[Callable] = field(default_factory=list)  # run after every other loader
    demo_logins: list = field(default_factory=list)
    unit_deletion_checks: list[Callable] = field(default_factory=list)
    participation_providers: list[ParticipationProvider] = field(default_factory=list)
    housekeeping: dict[str, Callable] = field(default_factory=dict)
    warm_ups: dict[str, Callable] = field(default_factory=dict)
    features: list[str] = field(default_factory=list)


def init_hooks(app: Flask) -> Hooks:
    """Give `app` its empty registries (the first step of create_app)."""
    hooks = Hooks()
    app.extensions[EXTENSION_KEY] = hooks
    return hooks


def hooks_of(app: Flask | None = None) -> Hooks:
    """The registries of `app` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION_KEY]


def _replace_section(sections: list[Section], section: Section) -> None:
    sections[:] = [existing for existing in sections if existing.template != section.template]
    sections.append(section)
    sections.sort(key=lambda item: item.order)


def add_navigation(app: Flask, endpoint: str, label, *, order: int) -> None:
    """A main-menu entry; shown in `order` to whoever passes the endpoint's declared access rule."""
    items = hooks_of(app).navigation
    items[:] = [item for item in items if item.endpoint != endpoint]
    items.append(NavItem(endpoint, label, order))
    items.sort(key=lambda item: item.order)


def add_home_section(app: Flask, template: str, context: Callable | None = None, *, order: int = 100) -> None:
    """A home-page section: `context(user)` gives its data, or None to hide it."""
    _replace_section(hooks_of(app).home_sections, Section(template, context, order))


def add_campaign_section(app: Flask, template: str, context: Callable | None = None, *,
                         order: int = 100) -> None:
    """A campaign-page section: `context(campaign, user)` gives its data, or None to hide it."""
    _replace_section(hooks_of(app).campaign_sections, Section(template, context, order))


def add_audit_labels(app: Flask, actions: dict[str, Any], targets: dict[str, Any] | None = None) -> None:
    """Names for a feature's audit action codes (and target types) in the audit viewer."""
    registry = hooks_of(app)
    registry.action_labels.update(actions)
    registry.target_labels.update(targets or {})


def add_demo_loader(app: Flask, loader: Callable, *, logins=(), last: bool = False) -> None:
    """Run `loader(ctx)` in `flask demo`, after those registered before it, and list its logins.
    `last`: after every feature's loader, whenever it was registered (figures drawn from their data)."""
    registry = hooks_of(app)
    loaders = registry.demo_final_loaders if last else registry.demo_loaders
    if loader not in loaders:
        loaders.append(loader)
    for login in logins:
        if login not in registry.demo_logins:
            registry.demo_logins.append(login)


def add_unit_deletion_check(app: Flask, check: Callable) -> None:
    """Refuse deleting a unit or branch while `check(unit)` gives a reason (a message naming what uses it)."""
    checks = hooks_of(app).unit_deletion_checks
    if check not in checks:
        checks.append(check)


def add_participation_provider(app: Flask, provider: ParticipationProvider) -> None:
    """An activity whose participants count towards a campaign's coverage (one provider per key)."""
    providers = hooks_of(app).participation_providers
    providers[:] = [existing for existing in providers if existing.key != provider.key]
    providers.append(provider)
    from app.common.data_versions import rewatch

    rewatch(app)  # registered after the app was built (a plug-in loaded late): its tables are watched too


def add_housekeeping(app: Flask, name: str, task: Callable[[], int]) -> None:
    """A tidy-up that runs hourly in the job worker and in `flask housekeeping`: `task()` deletes
    what has outlived its purpose (expired rows, abandoned files) and returns how many went. It runs
    inside an app context whose transaction is committed after it, and may run on several workers
    at once, so it must be idempotent."""
    hooks_of(app).housekeeping[name] = task


def add_warm_up(app: Flask, name: str, task: Callable[[], None]) -> None:
    """Work a fresh worker does before its first request (gunicorn.conf.py; `flask warm-up`):
    `task()` fills what the worker keeps, so the first visitor does not wait for it. It runs in an app
    context with a request context for the default language, should take a second or two at most, and
    must only read (its transaction is rolled back); a failure is logged and the worker serves anyway."""
    hooks_of(app).warm_ups[name] = task


def sections_with_data(sections: list[Section], *args) -> list[tuple[str, dict]]:
    """(template, data) for each section whose context has something to show for `args`."""
    shown = []
    for section in sections:
        data = section.context(*args) if section.context else {}
        if data is not None:
            shown.append((section.template, data))
    return shown
