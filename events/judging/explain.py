"""The explanation of one result as plain data a page (or an export) renders: every judge's total,
which were struck and why, each group's mean and weight, the deductions with their reasons, and the
rounding step from the exact value to the text shown.
"""
from __future__ import annotations

from events.judging.numbers import round_half_up, shown
from events.judging.rules import PanelResult
from events.judging.standings import Standing, check_places


def explanation(result: PanelResult | Standing, places: int = 2) -> dict:
    """Everything that made a result, in the order it was computed; a standing brings its rank and its
    display places (a result alone is shown with `places`)."""
    standing = result if isinstance(result, Standing) else None
    result = standing.result if standing else result
    places = standing.places if standing else check_places(places)
    rule = result.rule
    data = {
        "subject": result.subject,
        "final": result.final,
        "missing_judges": list(result.missing_judges),
        "recused_judges": list(result.recused_judges),
        "absent_judges": list(result.absent_judges),
        "rule": {"trim_from": rule.trim_from, "trim_each_end": rule.trim_each_end,
                 "per_criterion": rule.per_criterion, "group_weights": dict(rule.group_weights)},
        "judges": [
            {"judge": line.judge, "group": line.group, "total": line.total,
             "scores": dict(line.scores) if line.scores is not None else None,
             "struck": line.struck, "struck_in": dict(line.struck_in)}
            for line in result.judges
        ],
        "deductions": [{"points": deduction.points, "reason": deduction.reason, "kind": deduction.kind}
                       for deduction in result.deductions],
        "deducted": result.deducted,
    }
    if not result.final:
        return data
    data.update({
        "groups": [{"name": group.name, "weight": group.weight, "scoring": group.scoring, "kept": group.kept,
                    "trimmed_mean": group.trimmed_mean, "untrimmed_mean": group.untrimmed_mean}
                   for group in result.groups],
        "trimmed_mean": result.trimmed_mean,
        "untrimmed_mean": result.untrimmed_mean,
        "criterion_means": dict(result.criterion_means),
        "exact": result.exact,
        "rounding": {"exact": result.exact, "places": places, "rounded": round_half_up(result.exact, places),
                     "display": shown(result.exact, places)},
    })
    if standing:
        data.update({"rank": standing.rank, "shared_rank": standing.shared,
                     "decided_by": standing.decided_by.label() if standing.decided_by else None})
    return data
