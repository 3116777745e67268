"""One headcount everywhere: the demo note, the home page, the units page and the roster agree on 在册."""
import re

from tests.platform.test_demo_command import run_demo


def number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in the page"
    return int(found.group(1))


def test_the_demo_note_home_units_and_roster_count_the_same_people(app, organiser_client):
    output = run_demo(app)
    noted = number(r"在册人员：(\d+) 名", output)
    disabled = number(r"另有 (\d+) 名已停用", output)
    assert disabled > 0  # the demo has people who left: the counts below must say what they do with them

    home = organiser_client.get("/").get_data(as_text=True)
    units = organiser_client.get("/units/").get_data(as_text=True)
    roster = organiser_client.get("/members/").get_data(as_text=True)

    assert number(r'<div class="value">(\d+)</div><div class="label">在册人员</div>', home) == noted
    assert number(r"在册 (\d+) 人（不含已停用人员）", units) == noted
    assert number(r"在册 (\d+) 人，已停用", roster) == noted
    assert number(r"已停用 (\d+) 人", roster) == disabled
    assert number(r"共 (\d+) 人", roster) == noted + disabled
    active_only = organiser_client.get("/members/?active=1").get_data(as_text=True)
    assert number(r"共 (\d+) 人，均在册", active_only) == noted
