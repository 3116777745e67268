"""Judging (评分规则), shared by the speech contest and the exhibition: plain functions, no models,
no views, nothing registered. Decimal in and out, never float.

Module map, in the order a score travels:

- numbers.py   — Decimal helpers: as_decimal (refuses float), exact (one correctly rounded division
                 of an exact fraction), round_half_up and shown (85.125 → "85.13").
- criteria.py  — Criterion (name, maximum, step 0.1/0.01, soft range), default_criteria (the speech
                 sheet 40/30/10/20), check_score / check_sheet: blank, out of range, off-step refused
                 beside the field; outside the soft range needs a confirmation with a note.
- deductions.py — Deduction, the overtime threshold table with its grace period (DEFAULT_OVERTIME:
                 ≤ 10 s 0, > 10 s 0.2, ≥ 30 s 0.5), overtime_deduction, manual_deduction (with reason).
- rules.py     — PanelRule (K, D, per-criterion trimming, group weights), trim / trimmed_mean,
                 panel_result: recused and absent judges leave the panel, a missing sheet makes the
                 result not final; ties at the top or bottom strike the first judge in seat order.
- standings.py — rank_results: rank on the exact value, display_places (more decimals where the
                 shown scores would tie), the tie-break chain (HIGHER_UNTRIMMED_MEAN, by_criterion),
                 then a shared rank (1, 1, 3) from app.common.ranking.
- awards.py    — tiers by count or proportion (ties at a boundary share the higher award, the next
                 tier shrinks), single awards per criterion (最佳风采奖).
- explain.py   — explanation(result or standing): the data of the per-contestant explanation page.
"""
