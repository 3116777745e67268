"""What a roster field may hold: one normaliser per field, shared by the import, the forms and export.

Each normaliser takes what a person typed or a spreadsheet stored (text, int or float) and returns
the stored form, or raises CellError with a message for the user.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _

from app.accounts.models import GENDERS, POLITICAL_STATUSES
from app.common.text import clean, has_control_characters, to_halfwidth
from app.common.xlsx import CellError, Column, cell_text

MAX_NAME_LENGTH = 32
MAX_UNIT_NAME_LENGTH = 100
MAX_STAFF_ID_LENGTH = 32
_STAFF_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*")
_MOBILE = re.compile(r"1\d{10}")

_GENDER_ALIASES = {"男": "男", "女": "女", "男性": "男", "女性": "女"}
# Spellings seen in real rosters, folded to the stored values of POLITICAL_STATUSES.
_POLITICAL_ALIASES = {
    "中共党员": "中共党员", "党员": "中共党员", "共产党员": "中共党员", "中国共产党党员": "中共党员",
    "正式党员": "中共党员", "中共正式党员": "中共党员",
    "预备党员": "预备党员", "中共预备党员": "预备党员",
    "入党积极分子": "入党积极分子", "积极分子": "入党积极分子",
    "共青团员": "共青团员", "团员": "共青团员", "中国共产主义青年团团员": "共青团员", "共青团": "共青团员",
    "民主党派": "民主党派", "民主党派成员": "民主党派", "民革党员": "民主党派", "民革": "民主党派",
    "民盟盟员": "民主党派", "民盟": "民主党派", "民建会员": "民主党派", "民建": "民主党派",
    "民进会员": "民主党派", "民进": "民主党派", "农工党党员": "民主党派", "农工党": "民主党派",
    "致公党党员": "民主党派", "致公党": "民主党派", "九三学社社员": "民主党派", "九三学社": "民主党派",
    "台盟盟员": "民主党派", "台盟": "民主党派",
    "无党派人士": "无党派人士", "无党派": "无党派人士", "无党派民主人士": "无党派人士",
    "群众": "群众",
}
assert set(_POLITICAL_ALIASES.values()) == set(POLITICAL_STATUSES)
assert set(_GENDER_ALIASES.values()) == set(GENDERS)


def _is_cjk_name_char(char: str) -> bool:
    return char in "·•・" or unicodedata.east_asian_width(char) in "WF"


def normalise_name(value: Any) -> str:
    """A person's name, trimmed; the alignment spaces people put inside Chinese names removed."""
    text = clean(cell_text(value))
    parts = text.replace("\u3000", " ").split()
    if parts and all(_is_cjk_name_char(char) for part in parts for char in part):
        name = "".join(parts)  # "张　伟" (padded to line up with three-character names) is 张伟
    else:
        name = " ".join(parts)
    if not name:
        raise CellError(_("不能为空"))
    if has_control_characters(name):
        raise CellError(_("含有不可见的控制字符"))
    if len(name) > MAX_NAME_LENGTH:
        raise CellError(_("姓名过长（最多 %(n)s 个字）", n=MAX_NAME_LENGTH))
    return name


def normalise_staff_id(value: Any) -> str:
    """A staff ID as text: numbers without '.0', full-width digits folded, leading zeros kept."""
    text = to_halfwidth(clean(cell_text(value)))
    if not text:
        raise CellError(_("不能为空"))
    if len(text) > MAX_STAFF_ID_LENGTH:
        raise CellError(_("工号过长（最多 %(n)s 位）", n=MAX_STAFF_ID_LENGTH))
    if not _STAFF_ID.fullmatch(text):
        raise CellError(_("工号只能包含字母、数字、- 和 _，不能有空格"))
    return text


def normalise_mobile(value: Any) -> str:
    """An 11-digit mainland mobile number; spaces, dashes and a +86 prefix are dropped."""
    text = to_halfwidth(clean(cell_text(value)))
    digits = re.sub(r"[\s\-()（）]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not _MOBILE.fullmatch(digits):
        raise CellError(_("手机号「%(value)s」无效：应为 1 开头的 11 位数字", value=text[:40]))
    return digits


def normalise_gender(value: Any) -> str:
    text = "".join(clean(cell_text(value)).split())
    try:
        return _GENDER_ALIASES[text]
    except KeyError:
        raise CellError(_("性别应为“男”或“女”")) from None


def normalise_political_status(value: Any) -> str:
    text = "".join(to_halfwidth(clean(cell_text(value))).split())
    try:
        return _POLITICAL_ALIASES[text]
    except KeyError:
        raise CellError(_("政治面貌「%(value)s」无法识别，应为：%(choices)s", value=text[:40],
                          choices="、".join(POLITICAL_STATUSES))) from None


def normalise_unit_name(value: Any) -> str:
    """A unit or branch name as stored: trimmed, inner space runs squeezed to one."""
    name = " ".join(cell_text(value).split())  # str.split() also splits on full-width spaces
    if not name:
        raise CellError(_("不能为空"))
    if has_control_characters(name):
        raise CellError(_("含有不可见的控制字符"))
    if len(name) > MAX_UNIT_NAME_LENGTH:
        raise CellError(_("名称过长（最多 %(n)s 个字）", n=MAX_UNIT_NAME_LENGTH))
    return name


_FLAG_VALUES = {
    "是": True, "√": True, "✓": True, "✔": True, "1": True, "y": True, "yes": True, "true": True, "支委": True,
    "否": False, "×": False, "✗": False, "0": False, "n": False, "no": False, "false": False, "-": False,
}


def normalise_flag(value: Any) -> bool:
    """A yes/no cell (是/否, √, 1/0, Y/N); an empty cell is read as 否 by the import."""
    text = "".join(to_halfwidth(clean(cell_text(value))).split()).casefold()
    try:
        return _FLAG_VALUES[text]
    except KeyError:
        raise CellError(_("应填“是”或“否”")) from None


@lru_cache(maxsize=4096)  # a roster names a few hundred units and branches, 20,000 times over
def unit_key(name: str) -> str:
    """Compare-key for unit names: full-width folded, all spaces removed (（） equals ())."""
    return "".join(to_halfwidth(name).split()).casefold()


# The roster template, import and export share these columns, in this order.
ROSTER_COLUMNS = (
    Column("unit", "单位", required=True, parse=normalise_unit_name, example="市委办公室", width=24),
    Column("name", "姓名", required=True, parse=normalise_name, example="张三", width=12),
    Column("staff_id", "工号", required=True, parse=normalise_staff_id, aliases=("职工号", "员工号"),
           example="00123", width=12),
    Column("mobile", "手机号", parse=normalise_mobile, aliases=("手机", "手机号码"),
           example="13800138000", width=15),
    Column("gender", "性别", parse=normalise_gender, example="男", width=8),
    Column("political_status", "政治面貌", parse=normalise_political_status, example="中共党员", width=12),
    Column("branch", "支部", parse=normalise_unit_name, aliases=("所在支部", "党支部"), example="第一党支部",
           width=20),
    Column("party_group", "党小组", parse=normalise_unit_name, aliases=("所在党小组",), example="",
           width=16),
    Column("committee", "支委", parse=normalise_flag, aliases=("支部委员", "是否支委"), example="否", width=8),
)
COLUMN_HEADERS = {column.key: column.header for column in ROSTER_COLUMNS}
