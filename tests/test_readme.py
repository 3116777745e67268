"""The README tells a newcomer what they need on the first day, and it matches the Makefile."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_says_how_to_choose_another_port_and_the_makefile_takes_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run PORT=5001" in readme
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^PORT \?= 5000$", makefile, re.M) and "--port $(PORT)" in makefile
