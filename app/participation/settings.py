"""Which figures a campaign shows and how each counts. Rule: every registered provider is one column
(plus an attendance-rate column when it offers attendance); a column's setting for the campaign says
whether it is required for coverage, its target rate, its weight in the composite index and whether it
counts towards "took part in at least one" — defaults: not required, no target, weight 1 and counting
for the activity's main figure (quiz submitted, speech registered, exhibition submitted, check-in),
weight 0 and not counting for the others."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit.services import record
from app.extensions import db
from app.hooks import ParticipationProvider, hooks_of
from app.participation.figures import ActivityColumn
from app.participation.models import ParticipationSetting

ATTENDANCE_SUFFIX = "_attendance"
MEMBERS, ATTENDANCE = "members", "attendance"


@dataclass(frozen=True)
class ColumnSpec:
    """A column before the campaign's settings: where its rows come from."""

    key: str
    group: str
    label: str
    definition: str
    kind: str
    provider: ParticipationProvider
    counts_by_default: bool


@dataclass
class SettingData:
    required: bool = False
    target_rate: Decimal | None = None
    weight: Decimal = Decimal("1")
    counts_for_coverage: bool = True


def column_specs() -> list[ColumnSpec]:
    """Every provider's column, in registration order, each attendance column right after its activity."""
    specs = []
    for provider in hooks_of().participation_providers:
        specs.append(ColumnSpec(provider.key, provider.group_key, str(provider.label), str(provider.definition),
                                provider.kind, provider, provider.counts_for_coverage))
        if provider.attendance is not None:
            specs.append(ColumnSpec(
                provider.key + ATTENDANCE_SUFFIX, provider.group_key, _("%(label)s·出勤率", label=provider.label),
                _("出勤人次 ÷ 应到人次（出席、迟到、公出算出勤；不计入应到的不算，请假算未出勤）"), ATTENDANCE,
                provider, False))
    return specs


def default_setting(spec: ColumnSpec) -> SettingData:
    main = spec.counts_by_default and spec.kind == MEMBERS
    return SettingData(required=False, target_rate=None, weight=Decimal("1") if main else Decimal("0"),
                       counts_for_coverage=main)


def stored_settings(campaign) -> dict[str, ParticipationSetting]:
    return {row.key: row for row in db.session.scalars(
        sa.select(ParticipationSetting).where(ParticipationSetting.campaign_id == campaign.id))}


def settings_for(campaign, specs: list[ColumnSpec] | None = None) -> dict[str, SettingData]:
    """The effective setting of every column (stored, or the default), one query."""
    specs = column_specs() if specs is None else specs
    stored = stored_settings(campaign)
    effective = {}
    for spec in specs:
        row = stored.get(spec.key)
        if row is None:
            effective[spec.key] = default_setting(spec)
        else:
            effective[spec.key] = SettingData(
                bool(row.required) and spec.kind == MEMBERS,
                Decimal(row.target_rate) if row.target_rate is not None else None,
                Decimal(row.weight), bool(row.counts_for_coverage) and spec.kind == MEMBERS)
    return effective


def columns_for(campaign, specs: list[ColumnSpec] | None = None) -> list[ActivityColumn]:
    specs = column_specs() if specs is None else specs
    settings = settings_for(campaign, specs)
    return [ActivityColumn(spec.key, spec.group, spec.label, spec.definition, settings[spec.key].required,
                           settings[spec.key].target_rate, settings[spec.key].weight, spec.kind,
                           settings[spec.key].counts_for_coverage) for spec in specs]


def save_settings(actor, campaign, values: dict[str, SettingData]) -> list[str]:
    """Store the settings of the columns in `values` (unknown keys ignored); audit-log what changed and
    return the changed keys. Never commits."""
    specs = {spec.key: spec for spec in column_specs()}
    current = settings_for(campaign, list(specs.values()))
    stored = stored_settings(campaign)
    changed = []
    for key, data in values.items():
        spec = specs.get(key)
        if spec is None:
            continue
        if spec.kind != MEMBERS:
            data = SettingData(False, data.target_rate, data.weight, False)
        if data == current[key] and key in stored:
            continue
        row = stored.get(key)
        if row is None:
            row = ParticipationSetting(campaign_id=campaign.id, key=key)
            db.session.add(row)
        row.required, row.target_rate, row.weight = data.required, data.target_rate, data.weight
        row.counts_for_coverage, row.updated_by_id = data.counts_for_coverage, getattr(actor, "id", None)
        if data != current[key]:
            changed.append(key)
    if changed:
        db.session.flush()
        record("participation.settings_saved", actor=actor, target=campaign,
               summary=_("修改参与统计设置：%(campaign)s", campaign=campaign.name), keys=changed,
               settings={key: {"required": values[key].required,
                               "target_rate": str(values[key].target_rate) if values[key].target_rate is not None
                               else None, "weight": str(values[key].weight),
                               "counts_for_coverage": values[key].counts_for_coverage} for key in changed})
    return changed
