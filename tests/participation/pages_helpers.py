"""Hand-made participation result objects for the output side's tests (pages, charts, exports, notice)."""
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace

from app.participation.figures import ActivityColumn, CampaignFigures, MemberStatus, Rate, UnitFigures

AS_OF = datetime(2026, 3, 10, 2, 30)  # 10:30 in Shanghai

QUIZ = ActivityColumn("quiz", "quiz", "知识竞赛", "至少交卷一次的人员", True, Decimal("70"), Decimal("2"), "members")
SPEECH = ActivityColumn("speech_registered", "speech", "演讲比赛·已报名", "报名参加演讲比赛的人员", False, None,
                        Decimal("1"), "members")
CHECKIN = ActivityColumn("checkin", "checkin", "会议签到", "在受邀会议中至少签到一次的人员", True, Decimal("50"),
                         Decimal("1"), "attendance")
COLUMNS = [QUIZ, SPEECH, CHECKIN]


def unit(unit_id, name, headcount, quiz, speech, checkin, *, any_one, coverage, composite, rank, exempt=0,
         offline=None, branches=(), branch_of=None, average=None):
    below = set()
    if headcount and quiz * 100 < 70 * headcount:
        below.add("quiz")
    if headcount and checkin * 100 < 50 * headcount:
        below.add("checkin")
    return UnitFigures(
        unit_id=branch_of or unit_id, name=name, branch_id=unit_id if branch_of else None, is_branch=bool(branch_of),
        headcount=headcount, exempt=exempt,
        figures={"quiz": Rate(quiz, headcount), "speech_registered": Rate(speech, headcount),
                 "checkin": Rate(checkin, headcount)},
        offline=offline or {}, attendance=Rate(checkin, headcount) if headcount else None,
        any_one=Rate(any_one, headcount), coverage=Rate(coverage, headcount),
        quiz_average=average, composite=composite, rank=rank, below_target=below, branches=list(branches))


def sample_figures(jia_id=1, yi_id=2, bing_id=3, branch_id=11) -> CampaignFigures:
    """甲单位 (10 people, a branch of 4), 乙单位 (4 people, below target), 丙单位 (nobody)."""
    branch = unit(branch_id, "甲单位第一支部", 4, 4, 1, 3, any_one=4, coverage=3, composite=None, rank=None, branch_of=jia_id)
    jia = unit(jia_id, "甲单位", 10, 8, 2, 6, any_one=9, coverage=5, composite=Decimal("71.50"), rank=1, exempt=1,
               offline={"quiz": 2}, branches=[branch], average=Decimal("86.5"))
    yi = unit(yi_id, "乙单位<b>", 4, 2, 0, 1, any_one=2, coverage=1, composite=Decimal("37.50"), rank=2,
              average=Decimal("70"))
    bing = unit(bing_id, "丙单位", 0, 0, 0, 0, any_one=0, coverage=0, composite=None, rank=None)
    total = unit(None, "合计", 14, 10, 2, 7, any_one=11, coverage=6, composite=Decimal("61.79"), rank=None,
                 exempt=1, offline={"quiz": 2}, average=Decimal("83.2"))
    return CampaignFigures(campaign_id=1, as_of=AS_OF, computed_at=AS_OF, columns=list(COLUMNS),
                           units=[jia, yi, bing], total=total)


def member(user_id, name, unit_name="甲单位", *, done=(), missing=(), exempt=None, transferred=False,
           branch="甲单位第一支部", mobile="13800000000", offline=()):
    return MemberStatus(user_id=user_id, name=name, staff_id=f"S{user_id:04d}", mobile=mobile, unit_id=1,
                        unit_name=unit_name, branch_id=11 if branch else None, branch_name=branch,
                        done={key: (AS_OF if key in done else None) for key in ("quiz", "speech_registered",
                                                                                 "checkin")},
                        offline=set(offline), missing_required=list(missing), exempt_reason=exempt,
                        transferred=transferred)


def sample_members() -> list:
    return [
        member(1, "张三", done=("quiz", "checkin")),
        member(2, "李四", done=("quiz",), missing=("checkin",), offline=("quiz",)),
        member(3, "王五", missing=("quiz", "checkin")),
        member(4, "=HYPERLINK(\"x\")", unit_name="乙单位<b>", missing=("quiz", "checkin"), branch=None),
        member(5, "赵六", done=("quiz",), missing=("checkin",), transferred=True),
    ]


def sample_exempt() -> list:
    return [member(6, "钱七", missing=("quiz", "checkin"), exempt="长期病休：住院治疗")]


CAMPAIGN = SimpleNamespace(id=1, name="解放思想大讨论活动")
