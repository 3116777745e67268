"""Awards per category (一等奖 1, 二等奖 3, 三等奖 5, 优秀奖 …) from the final standings of the judging
rounds, and their 公示 → 更正 → 最终 versions (events/judging/versions.py).

- Tiers are set per category, in order, each with a count of places; only the last may leave its
  count empty (everyone ranked and left). Ties at a boundary share the higher award and the next
  tier shrinks (events/judging/awards.assign_awards). Tiers are fixed once the awards are final.
- The provisional awards are computed from rounds.final_standings(exhibition) each time; ranked works
  get awards, unranked ones (nobody scored them) none; a work whose scores were incomplete when the
  round was closed keeps its place and shows the close reason.
- Publishing freezes every category's rows as the next version (公示 until a date); a later version
  is a 更正 with a note; the latest is finalised after its notice period while it still matches.

A row: work_id, category_id, category, number (编号), title, author, unit, rank, score (shown), exact,
award, final, note — plain JSON, the same shape for provisional and published awards.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.common.problems import Problem
from app.extensions import db
from events.exhibition.award_models import MAX_TIERS, ExhibitionAwardTier, ExhibitionResultVersion
from events.exhibition.models import Exhibition, ExhibitionCategory, Work
from events.judging import versions
from events.judging.awards import Tier, assign_awards, tier_limits

TIER_NAME_MAX = 30
SUGGESTED_TIERS = ((_l("一等奖"), 1), (_l("二等奖"), 3), (_l("三等奖"), 5), (_l("优秀奖"), None))
AUDIT_LABELS = {
    "exhibition.award_tiers_set": _l("设置展览奖项名额"),
    "exhibition.results_published": _l("发布展览评选结果公示"),
    "exhibition.results_corrected": _l("发布展览评选结果更正"),
    "exhibition.results_finalised": _l("确定展览最终评选结果"),
}
# What makes up the result (names and titles may be edited later without a correction).
RESULT_KEYS = ("work_id", "category_id", "rank", "exact", "score", "award", "final")


def _text(value) -> str | None:
    return None if value is None else format(value, "f")


# ---------------------------------------------------------------- tiers


def tiers_of(category: ExhibitionCategory) -> list[Tier]:
    rows = db.session.scalars(sa.select(ExhibitionAwardTier).where(ExhibitionAwardTier.category_id == category.id)
                              .order_by(ExhibitionAwardTier.position))
    return [Tier(row.name, row.award_count) for row in rows]


def all_tiers(exhibition: Exhibition) -> dict[int, list[Tier]]:
    """Every category's tiers in one query (category id → tiers in order; [] when none are set)."""
    out: dict[int, list[Tier]] = {category.id: [] for category in exhibition.categories}
    rows = db.session.scalars(sa.select(ExhibitionAwardTier).where(ExhibitionAwardTier.category_id.in_(list(out)))
                              .order_by(ExhibitionAwardTier.category_id, ExhibitionAwardTier.position))
    for row in rows:
        out[row.category_id].append(Tier(row.name, row.award_count))
    return out


def set_tiers(actor, category: ExhibitionCategory, tiers: Sequence[tuple[str, int | None]]) -> list[Tier]:
    """A category's tiers are replaced by `tiers` (name, count or None), in order: names given and
    distinct, at most MAX_TIERS, counts whole and not negative, only the last without a count;
    refused once the exhibition's awards are final."""
    latest = latest_version(category.exhibition)
    if latest is not None and latest.is_final:
        raise Problem(_("评选结果已最终确定，不能再修改奖项"), "tiers")
    cleaned = [((name or "").strip(), count) for name, count in tiers if (name or "").strip() or count is not None]
    if any(not name for name, _count in cleaned):
        raise Problem(_("请填写奖项名称"), "tiers")
    if len(cleaned) > MAX_TIERS:
        raise Problem(_("每个类别最多设置 %(count)s 个奖项", count=MAX_TIERS), "tiers")
    if any(len(name) > TIER_NAME_MAX for name, _count in cleaned):
        raise Problem(_("奖项名称不能超过 %(count)s 个字", count=TIER_NAME_MAX), "tiers")
    if len({name for name, _count in cleaned}) != len(cleaned):
        raise Problem(_("奖项名称不能重复"), "tiers")
    result = [Tier(name, count) for name, count in cleaned]
    if result:
        tier_limits(result, 0)  # the shared rules: counts ≥ 0, only the last may be open-ended
    db.session.execute(sa.delete(ExhibitionAwardTier).where(ExhibitionAwardTier.category_id == category.id))
    db.session.add_all([ExhibitionAwardTier(category_id=category.id, position=position, name=tier.name,
                                            award_count=tier.count) for position, tier in enumerate(result, 1)])
    db.session.flush()
    record("exhibition.award_tiers_set", target=category.exhibition, actor=actor, summary=category.name,
           tiers=[[tier.name, tier.count] for tier in result])
    return result


# ---------------------------------------------------------------- provisional awards


@dataclass
class CategoryAwards:
    category: ExhibitionCategory
    tiers: list[Tier]
    rows: list[dict] = field(default_factory=list)
    judged: bool = False  # a closed scoring round covers the category

    @property
    def incomplete(self) -> list[dict]:
        return [row for row in self.rows if not row["final"]]


@dataclass
class Awards:
    """The awards of every category, and why they cannot be published yet (`problems`)."""

    exhibition: Exhibition
    categories: list[CategoryAwards] = field(default_factory=list)

    @property
    def rows(self) -> list[dict]:
        return [row for item in self.categories for row in item.rows]

    @property
    def problems(self) -> list[str]:
        found = []
        if not any(item.judged for item in self.categories):
            found.append(_("还没有结束的评分轮次，暂无可发布的结果"))
        for item in self.categories:
            if item.judged and not item.tiers:
                found.append(_("请先设置“%(name)s”的奖项名额", name=item.category.name))
        return found


def _standings_of(exhibition: Exhibition) -> dict[int, list]:
    from events.exhibition.services.rounds import final_standings

    return final_standings(exhibition)


def compute_awards(exhibition: Exhibition, standings: dict[int, list] | None = None,
                   tiers: dict[int, list[Tier]] | None = None) -> Awards:
    """Each category's ranked works with their awards: the ranked standings (WorkStanding) of the
    category through its tiers, unranked works listed after without an award."""
    standings = _standings_of(exhibition) if standings is None else standings
    tiers = all_tiers(exhibition) if tiers is None else tiers
    ids = [item.work_id for rows in standings.values() for item in rows]
    works = {work.id: work for work in db.session.scalars(
        sa.select(Work).where(Work.id.in_(ids)).options(selectinload(Work.author), selectinload(Work.unit),
                                                         selectinload(Work.coauthors)))} if ids else {}
    out = Awards(exhibition)
    for category in exhibition.categories:
        items = standings.get(category.id)
        entry = CategoryAwards(category, tiers.get(category.id, []), judged=items is not None)
        out.categories.append(entry)
        if not items:
            continue
        ranked = [item for item in items if item.rank is not None]
        awarded = {}
        if entry.tiers and ranked:
            for given in assign_awards(ranked, entry.tiers):
                awarded[given.standing.work_id] = given.award
        for item in sorted(items, key=lambda s: (s.rank is None, s.rank or 0, s.number)):
            work = works.get(item.work_id)
            entry.rows.append({
                "work_id": item.work_id, "category_id": category.id, "category": category.name,
                "number": item.number, "title": work.title if work else "",
                "author": "、".join([work.author.name, *(p.name for p in work.coauthors)]) if work else "",
                "unit": work.unit.name if work and work.unit else "",
                "rank": item.rank, "score": _text(item.score), "exact": _text(item.exact),
                "award": awarded.get(item.work_id), "final": bool(item.final), "note": item.note or "",
            })
    return out


# ---------------------------------------------------------------- versions


def latest_version(exhibition: Exhibition) -> ExhibitionResultVersion | None:
    return versions.latest_version(ExhibitionResultVersion, ExhibitionResultVersion.exhibition_id, exhibition.id)


def result_versions(exhibition: Exhibition) -> list[ExhibitionResultVersion]:
    return versions.all_versions(ExhibitionResultVersion, ExhibitionResultVersion.exhibition_id, exhibition.id)


def matches_awards(version: ExhibitionResultVersion, awards: Awards) -> bool:
    return not awards.problems and versions.same_rows(version.standings, awards.rows, RESULT_KEYS)


def publish_awards(exhibition: Exhibition, user, notice_until: date | None, correction_note: str = "", *,
                   compute: Callable[[Exhibition], Awards] = compute_awards) -> ExhibitionResultVersion:
    """The provisional awards of every judged category are frozen as the next version for 公示 until
    a date; from the second version on it is a 更正 and needs a note; nothing is published once final,
    before a scoring round has closed, or while a judged category has no tiers."""
    latest = latest_version(exhibition)
    versions.refuse_if_final(latest)
    awards = compute(exhibition)
    if awards.problems:
        raise Problem(awards.problems[0], "results")
    note = versions.publication_note(latest, notice_until, correction_note)
    version = versions.add_version(ExhibitionResultVersion, latest, user, notice_until, note, awards.rows,
                                   exhibition_id=exhibition.id)
    record("exhibition.results_corrected" if latest else "exhibition.results_published", target=exhibition,
           actor=user, summary=f"{exhibition.title} · {_('第 %(n)s 版', n=version.version)}",
           version=version.version, notice_until=notice_until.isoformat(), note=note)
    return version


def finalise_awards(exhibition: Exhibition, user, *,
                    compute: Callable[[Exhibition], Awards] = compute_awards) -> ExhibitionResultVersion:
    """The latest version becomes final once its 公示 is over, while it still matches the standings
    and tiers (else a 更正 comes first)."""
    latest = latest_version(exhibition)
    versions.check_finalisable(latest)
    versions.refuse_if_changed(latest, matches_awards(latest, compute(exhibition)))
    versions.mark_final(ExhibitionResultVersion, latest, user)
    record("exhibition.results_finalised", target=exhibition, actor=user,
           summary=f"{exhibition.title} · {_('第 %(n)s 版', n=latest.version)}", version=latest.version)
    return latest


def published_by_work(exhibition: Exhibition) -> dict[int, dict]:
    """work id → its row in the latest published (公示 or final) version; empty before publication."""
    latest = latest_version(exhibition)
    return {row["work_id"]: row for row in latest.standings} if latest else {}


def rows_by_category(version: ExhibitionResultVersion, exhibition: Exhibition) -> list[tuple[str, list[dict]]]:
    """A version's rows grouped under the exhibition's categories, in the categories' order."""
    groups: dict[int, list[dict]] = {}
    for row in version.standings:
        groups.setdefault(row["category_id"], []).append(row)
    named = [(category.name, groups.pop(category.id)) for category in exhibition.categories if category.id in groups]
    named.extend((rows[0].get("category", ""), rows) for rows in groups.values())  # a category renamed away
    return named
