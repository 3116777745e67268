"""Which writes change a campaign's figures: the tables every participation provider reads (found in
their selects, so an activity added later is watched without a change here) and the platform's own
(roster, history, exemptions, offline records, settings, units, campaigns), counted under one data
version (app/common/data_versions.py). services.campaign_figures keeps a campaign's figures in each
worker under that version, so a view with no write since the last one is not computed again.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql import visitors

FIGURES_DATA = "participation"
ATTENDANCE_DATA = "participation.attendance"  # what the attendance figures alone read
# What app/participation/tally/ keeps apart, each under its own version: the people (users, their
# history, exemptions), the offline records, and each figure's records (figure_data).
PEOPLE_DATA = "participation.people"
OFFLINE_DATA = "participation.offline"

# The platform's tables the engine reads (tally/, exemptions.py, offline.py, settings.py), with the
# users columns it reads: a sign-in or a password change updates users without moving any figure.
PLATFORM_TABLES: dict[str, frozenset[str] | None] = {
    "users": frozenset({"id", "unit_id", "branch_id", "active", "created_at"}),
    "member_periods": None,
    "participation_exemptions": None,
    "offline_participations": None,
    "participation_settings": None,
    "units": None,
    "campaigns": None,
}


def figure_data(key: str) -> str:
    """The data version name of one figure's records (data_versions names are 40 characters at most
    and go into SQL as written: a key that is not a short plain name is hashed)."""
    name = f"participation:{key}"
    if len(name) <= 40 and re.fullmatch(r"[\w:.]+", name, re.ASCII):
        return name
    return "participation:" + hashlib.sha1(key.encode()).hexdigest()[:24]


def people_tables() -> dict[str, frozenset[str] | None]:
    return {name: PLATFORM_TABLES[name] for name in ("users", "member_periods", "participation_exemptions")}


def people_keys() -> dict[type, str]:
    """The people's tables as mapped classes, each with the attribute that says whose row it is: the
    data-version log of PEOPLE_DATA (data_versions.log_keys) holds the members each write changed."""
    from app.accounts.models import User
    from app.participation.models import MemberPeriod, ParticipationExemption

    return {User: "id", MemberPeriod: "user_id", ParticipationExemption: "user_id"}


def offline_tables() -> dict[str, frozenset[str] | None]:
    return {"offline_participations": None, "campaigns": None}


def each_figure_tables(providers: Iterable) -> dict[str, dict[str, frozenset[str] | None]]:
    """{figure_data(key): tables} of each members figure: what its participants and score selects read,
    and the campaigns (whose dates the selects may read from the campaign given)."""
    return {figure_data(provider.key): figure_tables([_RecordsOnly(provider)], platform={"campaigns": None})
            for provider in providers if provider.kind == "members"}


def columns_read(statement) -> dict[str, set[str]]:
    """{table: columns} of the tables behind every column a select refers to, through aliases and
    subqueries."""
    found: dict[str, set[str]] = {}
    for element in visitors.iterate(statement):
        if isinstance(element, sa.Table):
            found.setdefault(element.name, set())
        for base in getattr(element, "base_columns", ()) if isinstance(element, sa.ColumnElement) else ():
            table = getattr(base, "table", None)
            if isinstance(base, sa.Column) and isinstance(table, sa.Table):
                found.setdefault(table.name, set()).add(base.name)
    return found


def figure_tables(providers: Iterable, platform: dict | None = None) -> dict[str, frozenset[str] | None]:
    """The tables (with the columns whose UPDATE matters; None: any) whose writes can move a figure:
    the platform's (`platform`, default PLATFORM_TABLES), and every column the providers' selects read."""
    from app.campaigns.models import Campaign

    # A campaign that is never stored: the selects are only built here, never run.
    sample = Campaign(id=0, name="", description="", starts_on=date(2000, 1, 1), ends_on=date(2000, 1, 2))
    tables: dict[str, set[str] | None] = {name: set(columns) if columns is not None else None
                                          for name, columns in (PLATFORM_TABLES if platform is None else platform).items()}
    for provider in providers:
        for build in (provider.participants, provider.score, provider.attendance):
            if build is None:
                continue
            for table, columns in columns_read(build(sample)).items():
                if table in tables and tables[table] is None:
                    continue
                # A table read with no column seen (an EXISTS on it, say): any write to it counts.
                tables[table] = tables.get(table, set()) | columns if columns else None
    return {name: frozenset(columns) if columns is not None else None for name, columns in tables.items()}


def attendance_tables(providers: Iterable) -> dict[str, frozenset[str] | None]:
    """The tables whose writes can move an attendance figure beside the people (PEOPLE_DATA, whose
    version attendance.py also keys its rows by): what the providers' attendance selects read."""
    return figure_tables([_AttendanceOnly(provider) for provider in providers if provider.attendance is not None],
                         platform={})


class _RecordsOnly:
    """A provider seen through its participants and score selects alone."""

    attendance = None

    def __init__(self, provider):
        self.participants, self.score = provider.participants, provider.score


class _AttendanceOnly:
    """A provider seen through its attendance select alone."""

    participants = score = None

    def __init__(self, provider):
        self.attendance = provider.attendance
