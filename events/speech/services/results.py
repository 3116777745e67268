"""A round's results: provisional standings from the panels, 公示 versions, finalising, advancing.

- Provisional standings rank every scored slot whose panel is complete (events/judging rank_results
  with the contest's places and tie-breaks), then give awards (tiers and criterion awards) once no
  sheet is missing. They are for the organiser's review; nothing is published automatically.
- Publishing freezes the standings into a SpeechResultVersion (公示 until a date); a later version
  is a correction and needs a 更正 note; the latest published version is finalised after its notice
  period, and only while it still matches the panels (else a correction comes first).
- Members and the public see a round's results only through a published version; the per-contestant
  explanation only once the version is final (organisers always).
- Advancing puts the top N of a final version into the next round as slots waiting for its draw.

Rows are plain JSON-able dicts (Decimals as exact strings), the same shape for provisional and
published standings, so every page and the workbook render one shape.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.common.clock import utcnow
from app.common.problems import Problem
from app.extensions import db
from events.judging import versions
from events.judging.awards import assign_awards, criterion_awards
from events.judging.numbers import round_half_up, shown
from events.judging.rules import PanelResult
from events.judging.standings import Standing, rank_results
from events.speech.models import SpeechResultVersion, SpeechRound, SpeechSlot
from events.speech.services.panels import RoundPanel, load_round_panel, scored_slots, slot_result
from events.speech.services.state import bump_state
from events.speech.settings import award_tiers_of, criterion_awards_of, tie_breaks_of

CORRECTION_NOTE_MAX = versions.CORRECTION_NOTE_MAX
AUDIT_LABELS = {
    "speech.results_published": _l("发布演讲比赛成绩公示"),
    "speech.results_corrected": _l("发布演讲比赛成绩更正"),
    "speech.results_finalised": _l("确定演讲比赛最终成绩"),
    "speech.results_advanced": _l("演讲比赛选手晋级"),
    "speech.results_exported": _l("导出演讲比赛成绩"),
}
# The keys of a row that make up the result itself (not names, which may be edited later).
_RESULT_KEYS = ("slot_id", "entry_id", "rank", "exact", "score", "award", "criterion_awards", "judges",
                "recused", "absent", "deductions")


def _text(value) -> str | None:
    return None if value is None else format(value, "f")


@dataclass
class OpenSlot:
    """A scored slot whose result cannot be computed yet: the seats still missing, or a Problem."""

    slot: SpeechSlot
    missing_seats: tuple = ()
    problem: str | None = None


@dataclass
class RoundStandings:
    """A round's provisional standings: ranked rows (complete panels), open slots (missing sheets),
    弃权/缺席 slots, and whether the round can be published (`complete`)."""

    round: SpeechRound
    panel: RoundPanel
    rows: list[dict] = field(default_factory=list)
    open: list[OpenSlot] = field(default_factory=list)
    no_shows: list[SpeechSlot] = field(default_factory=list)
    problem: str | None = None

    @property
    def complete(self) -> bool:
        """Every scored slot has a final result and the ranking succeeded."""
        return not self.open and self.problem is None and bool(self.rows)

    def row_for(self, slot_id: int) -> dict | None:
        return next((row for row in self.rows if row["slot_id"] == slot_id), None)


def contestant_facts(slot: SpeechSlot) -> dict:
    """The names a row shows for a slot: number in the running order, contestant, unit, title."""
    entry = slot.entry
    return {"slot_id": slot.id, "entry_id": slot.entry_id, "position": slot.position,
            "name": entry.member.name if entry else (slot.rehearsal_name or ""),
            "unit": entry.unit.name if entry else "", "title": entry.speech_title if entry else ""}


def result_row(slot: SpeechSlot, result: PanelResult, standing: Standing | None, places: int) -> dict:
    """One contestant's line as stored in a version: rank, shown and exact score, each judge's total
    and criterion scores with what was struck, deductions, means and the rounding step."""
    shown_places = standing.places if standing else places
    rule = result.rule
    row = contestant_facts(slot)
    row.update({
        "rank": standing.rank if standing else None,
        "shared": bool(standing and standing.shared),
        "decided_by": standing.decided_by.label() if standing and standing.decided_by else None,
        "places": shown_places,
        "score": shown(result.exact, shown_places),
        "exact": _text(result.exact),
        "rounded": _text(round_half_up(result.exact, shown_places)),
        "trimmed_mean": _text(result.trimmed_mean),
        "untrimmed_mean": _text(result.untrimmed_mean),
        "deducted": _text(result.deducted),
        "criterion_means": {name: _text(value) for name, value in result.criterion_means.items()},
        "judges": [{"seat": line.judge, "group": line.group, "total": _text(line.total),
                    "scores": {name: _text(value) for name, value in (line.scores or {}).items()},
                    "struck": line.struck, "struck_in": dict(line.struck_in)} for line in result.judges],
        "recused": list(result.recused_judges),
        "absent": list(result.absent_judges),
        "deductions": [{"points": _text(d.points), "reason": d.reason, "kind": d.kind} for d in result.deductions],
        "groups": [{"name": group.name, "weight": _text(group.weight), "scoring": group.scoring,
                    "kept": group.kept, "trimmed_mean": _text(group.trimmed_mean)} for group in result.groups],
        "rule": {"trim_from": rule.trim_from, "trim_each_end": rule.trim_each_end,
                 "per_criterion": rule.per_criterion},
        "award": None,
        "criterion_awards": [],
    })
    return row


def provisional_standings(round_: SpeechRound) -> RoundStandings:
    """The round's standings as the panels stand now: complete panels ranked on the exact score with
    the contest's places and tie-breaks; awards (tiers, criterion awards) only when no sheet is
    missing; slots with missing sheets and 弃权/缺席 listed apart."""
    panel = load_round_panel(round_)
    contest = round_.contest
    out = RoundStandings(round_, panel, no_shows=[slot for slot in panel.slots
                                                  if not slot.is_rehearsal and slot.status == "no_show"])
    finals: list[tuple[SpeechSlot, PanelResult]] = []
    for slot in scored_slots(panel):
        try:
            result = slot_result(panel, slot)
        except Problem as problem:
            out.open.append(OpenSlot(slot, problem=problem.message))
            continue
        if result.final:
            finals.append((slot, result))
        else:
            out.open.append(OpenSlot(slot, missing_seats=result.missing_judges))
    slot_of = {slot.id: slot for slot, _result in finals}
    try:
        standings = rank_results([result for _slot, result in finals], places=contest.places,
                                 tie_breaks=tie_breaks_of(contest))
        out.rows = [result_row(slot_of[s.result.subject], s.result, s, contest.places) for s in standings]
        for row in out.rows:
            for line in row["judges"]:
                sheet = panel.sheets.get((row["slot_id"], line["seat"]))
                line["source"] = sheet.source if sheet else None
        if not out.open and standings:
            _give_awards(out.rows, standings, contest)
    except Problem as problem:
        out.problem = problem.message
        out.rows = []
    return out


def _give_awards(rows: list[dict], standings: list[Standing], contest) -> None:
    """Tier awards by rank and single criterion awards, written onto the rows."""
    for row, awarded in zip(rows, assign_awards(standings, award_tiers_of(contest)), strict=True):
        row["award"] = awarded.award
    winners = criterion_awards([standing.result for standing in standings], criterion_awards_of(contest))
    for name, subjects in winners.items():
        for row in rows:
            if row["slot_id"] in subjects:
                row["criterion_awards"].append(name)


# ---------------------------------------------------------------- versions


def result_versions(round_: SpeechRound) -> list[SpeechResultVersion]:
    """The round's published versions, newest first."""
    return versions.all_versions(SpeechResultVersion, SpeechResultVersion.round_id, round_.id)


def latest_version(round_: SpeechRound) -> SpeechResultVersion | None:
    """The newest published version of the round, or None before the first publication."""
    return versions.latest_version(SpeechResultVersion, SpeechResultVersion.round_id, round_.id)


def version_of(round_: SpeechRound, number: int) -> SpeechResultVersion | None:
    """Version `number` of the round's results, or None."""
    return versions.version_number(SpeechResultVersion, SpeechResultVersion.round_id, round_.id, number)


def matches_panels(version: SpeechResultVersion, standings: RoundStandings) -> bool:
    """A version still says what the panels say: same contestants, ranks, scores, sheets, awards."""
    return standings.complete and versions.same_rows(version.standings, standings.rows, _RESULT_KEYS)


def publish_results(round_: SpeechRound, user, notice_until: date | None, correction_note: str = ""
                    ) -> SpeechResultVersion:
    """Publishing freezes the complete provisional standings as the next version for 公示 until a date
    (today or later); from the second version on it is a correction and needs a 更正 note; nothing
    is published once a version is final, nor while a sheet is missing (events/judging/versions.py)."""
    latest = latest_version(round_)
    versions.refuse_if_final(latest)
    standings = provisional_standings(round_)
    if standings.problem:
        raise Problem(standings.problem, "results")
    if standings.open:
        raise Problem(_("尚有选手的评分不完整，不能发布：%(names)s",
                        names="、".join(contestant_facts(item.slot)["name"] for item in standings.open)), "results")
    if not standings.rows:
        raise Problem(_("还没有可发布的成绩"), "results")
    note = versions.publication_note(latest, notice_until, correction_note)
    version = versions.add_version(SpeechResultVersion, latest, user, notice_until, note, standings.rows,
                                   round_id=round_.id)
    number = version.version
    record("speech.results_corrected" if latest else "speech.results_published", target=round_, actor=user,
           summary=f"{round_.contest.title} · {round_.name} · {_('第 %(n)s 版', n=number)}",
           version=number, notice_until=notice_until.isoformat(), note=note)
    bump_state(round_.id)
    return version


def finalise_results(round_: SpeechRound, user) -> SpeechResultVersion:
    """The latest published version becomes final once its 公示 period is over, and only while it
    still matches the panels (a change after publishing needs a correction version first)."""
    latest = latest_version(round_)
    versions.check_finalisable(latest)
    versions.refuse_if_changed(latest, matches_panels(latest, provisional_standings(round_)))
    versions.mark_final(SpeechResultVersion, latest, user)
    if round_.status != "closed":
        round_.status, round_.closed_at = "closed", utcnow()
    record("speech.results_finalised", target=round_, actor=user,
           summary=f"{round_.contest.title} · {round_.name} · {_('第 %(n)s 版', n=latest.version)}",
           version=latest.version)
    bump_state(round_.id)
    return latest


def next_round(round_: SpeechRound) -> SpeechRound | None:
    """The round after this one in the contest (初赛 → 决赛), or None."""
    return db.session.scalar(sa.select(SpeechRound).where(SpeechRound.contest_id == round_.contest_id,
                                                          SpeechRound.position > round_.position)
                             .order_by(SpeechRound.position).limit(1))


def advancing_rows(version: SpeechResultVersion, count: int) -> list[dict]:
    """The top `count` of a version by rank; contestants sharing the last place all go on."""
    return [row for row in version.standings if row.get("rank") is not None and row["rank"] <= count]


def advance_to_next_round(round_: SpeechRound, user) -> tuple[SpeechRound, list[SpeechSlot]]:
    """The top N (the round's advance count) of the final version go on: each gets a slot in the next
    round, waiting for that round's draw; refused before the results are final, without a next round
    or once it has been drawn; contestants already there are left as they are."""
    if not round_.advance_count:
        raise Problem(_("本轮没有设置晋级人数"), "advance")
    target = next_round(round_)
    if target is None:
        raise Problem(_("没有下一轮比赛"), "advance")
    latest = latest_version(round_)
    if latest is None or latest.status != "final":
        raise Problem(_("本轮成绩最终确定后才能晋级"), "advance")
    if target.status != "setup" or target.draw_seed or target.drawn_at:
        raise Problem(_("“%(round)s”已抽签，不能再加入晋级选手", round=target.name), "advance")
    existing = list(db.session.scalars(sa.select(SpeechSlot).where(SpeechSlot.round_id == target.id)))
    have = {slot.entry_id for slot in existing}
    position = max((slot.position for slot in existing), default=0)
    created = []
    for row in advancing_rows(latest, round_.advance_count):
        if row["entry_id"] in have:
            continue
        position += 1
        created.append(SpeechSlot(round_id=target.id, entry_id=row["entry_id"], position=position, status="waiting"))
    try:
        with db.session.begin_nested():  # a second click at the same moment meets the round's unique slots
            db.session.add_all(created)
    except sa.exc.IntegrityError:
        raise Problem(_("晋级名单刚刚已更新，请刷新页面后查看"), "advance") from None
    record("speech.results_advanced", target=round_, actor=user,
           summary=f"{round_.contest.title} · {round_.name} → {target.name}",
           to_round=target.id, entries=[slot.entry_id for slot in created])
    bump_state(target.id)
    return target, created


# ---------------------------------------------------------------- who sees what


def public_version(round_: SpeechRound) -> SpeechResultVersion | None:
    """What members and other non-organisers may see of a round: its latest published version."""
    return latest_version(round_)


def explanation_visible(round_: SpeechRound, user) -> bool:
    """The per-contestant explanation is for organisers always, for everyone once the results are final."""
    if user.is_organiser:
        return True
    latest = latest_version(round_)
    return latest is not None and latest.status == "final"
