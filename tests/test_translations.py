"""The English catalog covers every UI string, with the same placeholders as the Chinese original."""
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "app/translations/en/LC_MESSAGES/messages.po"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _source_msgids() -> set[str]:
    with open(ROOT / "app/translations/babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    msgids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgids.add(message[0] if isinstance(message, tuple) else message)
    return {msgid for msgid in msgids if msgid}


def test_every_ui_string_has_an_english_translation():
    with open(CATALOG, "rb") as handle:
        catalog = read_po(handle)
    translated = {message.id: message.string for message in catalog if message.id and message.string
                  and "fuzzy" not in message.flags}
    missing = sorted(_source_msgids() - translated.keys())
    assert not missing, f"untranslated (run `make extract-messages` and translate): {missing[:20]}"


def test_translations_keep_their_placeholders():
    with open(CATALOG, "rb") as handle:
        catalog = read_po(handle)
    broken = [message.id for message in catalog if message.id and isinstance(message.string, str)
              and message.string and set(PLACEHOLDER.findall(message.id)) != set(PLACEHOLDER.findall(message.string))]
    assert not broken, broken


def test_english_pages_are_translated(client):
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Sign in" in page and "登录" not in page
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "登录" in page
