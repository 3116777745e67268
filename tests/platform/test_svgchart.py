"""The server-drawn SVG charts: one bar or point per value, labels escaped, long names wrapped, accessible."""
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest

from app.common.svgchart import Bar, Series, bar_chart, line_chart, text_units, wrap_label

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_bars_carry_their_values_and_the_target_line():
    svg = parse(bar_chart([Bar("甲单位", Decimal("85.0"), "34/40"), Bar("乙单位", Decimal("50.0"), "5/10", True),
                           Bar("丙单位", None, "0/0")], title="参与率", description="各单位参与率", target=Decimal("70")))
    assert svg.get("viewBox").startswith("0 0 360 ")
    assert svg.get("role") == "img" and svg.find(f"{SVG}title").text == "参与率"
    assert svg.find(f"{SVG}desc").text == "各单位参与率"
    bars = svg.findall(f".//{SVG}g[@class]")
    rows = [(g.get("data-label"), g.get("data-value")) for g in bars if "chart-bar" in g.get("class")]
    assert rows == [("甲单位", "85.0"), ("乙单位", "50.0"), ("丙单位", "")]
    below = [g for g in bars if "is-below" in g.get("class")]
    assert [g.get("data-label") for g in below] == ["乙单位"]
    target = next(g for g in bars if g.get("class") == "chart-target")
    assert target.get("data-value") == "70.0"
    # the filled bar's width is proportional to the rate: 85 % of the 258-unit plot
    filled = [rect for rect in bars[0].findall(f"{SVG}rect") if rect.get("fill") != "none"]
    assert float(filled[0].get("width")) == pytest.approx(258 * 0.85, abs=0.05)
    # a unit nobody is expected in has no filled bar, and says so
    assert all(rect.get("fill") == "none" for rect in bars[2].findall(f"{SVG}rect"))
    assert "—" in "".join(bars[2].itertext())


def test_labels_are_escaped():
    markup = str(bar_chart([Bar('<script>alert(1)</script>&"', Decimal("1"))], title="<b>t</b>"))
    assert "<script>" not in markup and "<b>" not in markup
    svg = parse(markup)  # still well-formed XML
    assert svg.find(f".//{SVG}g").get("data-label") == '<script>alert(1)</script>&"'


def test_long_names_wrap_onto_two_lines_and_are_abbreviated_after():
    name = "中共某某市委员会机关工作委员会直属机关第三党总支部委员会办公室综合科室第一党支部委员会" * 2
    lines = wrap_label(name)
    assert len(lines) == 2 and lines[1].endswith("…")
    assert all(text_units(line) <= 344 for line in lines)
    assert wrap_label("市委办公室") == ["市委办公室"]
    svg = parse(bar_chart([Bar(name, Decimal("10"))], title="t"))
    texts = [t.text for t in svg.findall(f".//{SVG}g/{SVG}text")]
    assert texts[:2] == lines
    assert name in svg.find(f".//{SVG}g/{SVG}title").text  # the full name in the tooltip


def test_line_chart_points_match_the_series_and_none_breaks_the_line():
    coverage = Series("覆盖率", [(date(2026, 3, 1), Decimal("10.0")), (date(2026, 3, 2), None),
                                 (date(2026, 3, 3), Decimal("30.5")), (date(2026, 3, 4), Decimal("42.0"))])
    quiz = Series("知识竞赛", [(date(2026, 3, 1), Decimal("5.0")), (date(2026, 3, 4), Decimal("60.0"))])
    svg = parse(line_chart([coverage, quiz], title="每日参与", target=Decimal("70")))
    groups = {g.get("data-label"): g for g in svg.findall(f".//{SVG}g") if g.get("class") == "chart-series"}
    points = [(c.get("data-date"), c.get("data-value")) for c in groups["覆盖率"].findall(f"{SVG}circle")]
    assert points == [("2026-03-01", "10.0"), ("2026-03-03", "30.5"), ("2026-03-04", "42.0")]
    assert len(groups["覆盖率"].findall(f"{SVG}polyline")) == 2  # the missing day breaks it
    # higher percentages are drawn higher up
    ys = [float(c.get("cy")) for c in groups["覆盖率"].findall(f"{SVG}circle")]
    assert ys[0] > ys[1] > ys[2]
    assert svg.find(f".//{SVG}g[@class='chart-target']").get("data-value") == "70.0"


def test_empty_charts_say_so():
    assert "暂无数据" in str(bar_chart([], title="t", empty_text="暂无数据"))
    assert "暂无数据" in str(line_chart([], title="t", empty_text="暂无数据"))
    one_day = parse(line_chart([Series("覆盖率", [(date(2026, 3, 1), Decimal("1"))])], title="t"))
    assert len(one_day.findall(f".//{SVG}circle")) == 1
