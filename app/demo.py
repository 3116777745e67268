"""flask --app wsgi demo [--if-empty]: a realistic, idempotent demo data set with known logins.

The demo is built by the loaders registered with hooks.add_demo_loader, run in registration order
inside one transaction: the platform's own (units, campaign, staff accounts, members, registered by
init_app below), then each feature's from its own init_app, e.g. quizzes/__init__.py:

    hooks.add_demo_loader(app, load_demo_bank)
    hooks.add_demo_loader(app, load_demo_quiz, logins=[DemoLogin("…", "…", "…")])

A loader is `loader(ctx: DemoContext) -> None`; it creates what is missing and leaves what exists
untouched, so running the command twice changes nothing. `ctx` offers: today (Asia/Shanghai),
campaign (解放思想大讨论活动), units (top-level Unit by name), branches ((unit name, branch name) -> Unit),
accounts (demo staff accounts by login), password_hash(password) (hashed once per distinct
password), note(text) (printed after the run) and rng (a seeded random.Random). The login table is
printed at the end of every run, also when --if-empty skips loading.
"""
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.security import generate_password_hash

from app.accounts.models import RoleGrant, User
from app.campaigns.models import Campaign, CampaignPhase
from app.common.clock import local_today, utcnow
from app.extensions import db
from app.hooks import hooks_of
from app.participation.history import record_membership
from app.units.models import Unit

SEED = 2026
MEMBER_PASSWORD = "Member@2026"
CAMPAIGN_NAME = "解放思想大讨论活动"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    login: str
    password: str
    note: str = ""


PLATFORM_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("管理员", "admin", "Admin@2026", "全部功能，含审计日志"),
    DemoLogin("组织员", "organiser", "Organiser@2026", "单位、名册、专项活动、竞赛管理"),
    DemoLogin("联络员", "liaison", "Liaison@2026", "市委办公室联络员（本人也在册）"),
    DemoLogin("评委", "judge1", "Judge@2026", "judge2、judge3 同一密码"),
    DemoLogin("普通人员", "member", MEMBER_PASSWORD, "市委办公室 / 第二党支部"),
    DemoLogin("其他在册人员", "010002 等工号", MEMBER_PASSWORD, "工号 = 单位序号两位 + 序号四位"),
)


@dataclass
class DemoContext:
    today: date
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    campaign: Campaign | None = None
    units: dict[str, Unit] = field(default_factory=dict)
    branches: dict[tuple[str, str], Unit] = field(default_factory=dict)
    accounts: dict[str, User] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _hashes: dict[str, str] = field(default_factory=dict)

    def password_hash(self, password: str) -> str:
        """One (slow) hash per distinct password, shared by every account that uses it."""
        if password not in self._hashes:
            method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
            self._hashes[password] = generate_password_hash(password, method=method)
        return self._hashes[password]

    def note(self, text: str) -> None:
        self.notes.append(text)


Loader = Callable[[DemoContext], None]


# ---------------------------------------------------------------- units

DEPARTMENTS: list[tuple[str, tuple[str, ...]]] = [
    ("市委办公室", ("第一党支部", "第二党支部", "第三党支部")),
    ("市政府办公室", ("第一党支部", "第二党支部")),
    ("市委组织部", ("第一党支部", "第二党支部")),
    ("市委宣传部", ()),
    ("市委统战部", ()),
    ("市委政法委", ()),
    ("市发展和改革委员会", ("第一党支部", "第二党支部")),
    ("市教育局", ("机关第一党支部", "机关第二党支部", "离退休干部党支部")),
    ("市科学技术局", ()),
    ("市工业和信息化局", ()),
    ("市公安局", ("机关第一党支部", "机关第二党支部", "机关第三党支部")),
    ("市民政局", ()),
    ("市司法局", ()),
    ("市财政局", ("第一党支部", "第二党支部")),
    ("市人力资源和社会保障局", ()),
    ("市自然资源和规划局", ("第一党支部", "第二党支部")),
    ("市生态环境局", ()),
    ("市住房和城乡建设局", ()),
    ("市交通运输局", ()),
    ("市卫生健康委员会", ("第一党支部", "第二党支部")),
    ("市审计局", ()),
    ("市市场监督管理局", ()),
]


def load_units(ctx: DemoContext) -> None:
    """The municipal departments and their Party branches."""
    existing = {unit.name: unit for unit in db.session.scalars(sa.select(Unit).where(Unit.parent_id.is_(None)))}
    for position, (name, branch_names) in enumerate(DEPARTMENTS, start=1):
        unit = existing.get(name)
        if unit is None:
            unit = Unit(name=name, sort_order=position)
            db.session.add(unit)
            db.session.flush()
        ctx.units[name] = unit
        have = {branch.name: branch for branch in unit.branches}
        for branch_position, branch_name in enumerate(branch_names, start=1):
            branch = have.get(branch_name)
            if branch is None:
                branch = Unit(name=branch_name, parent_id=unit.id, sort_order=branch_position)
                db.session.add(branch)
                db.session.flush()
            ctx.branches[(name, branch_name)] = branch


# ---------------------------------------------------------------- campaign

PHASES = [
    ("动员部署", -40, -31, "召开动员部署会，印发实施方案，明确各单位责任分工和时间安排。"),
    ("学习讨论", -30, -8, "各单位以党支部为单位开展集中学习和专题讨论，查找思想观念上的差距。"),
    ("知识竞赛", -7, 14, "全市机关干部参加线上知识竞赛，检验学习成效；各单位组织人员按时参赛。"),
    ("总结提升", 15, 40, "梳理讨论成果，形成制度性成果，评选表扬先进单位和个人。"),
]


def load_campaign(ctx: DemoContext) -> None:
    """解放思想大讨论活动 with four phases around today, the 知识竞赛 phase running now."""
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.name == CAMPAIGN_NAME))
    if campaign is None:
        today = ctx.today
        campaign = Campaign(
            name=CAMPAIGN_NAME,
            description=(f"{(today + timedelta(days=PHASES[0][1])).year}年全市机关开展解放思想大讨论活动，"
                         "围绕“解放思想、更新观念、担当作为”主题，分阶段组织学习讨论、知识竞赛和总结提升。"),
            starts_on=today + timedelta(days=PHASES[0][1]),
            ends_on=today + timedelta(days=PHASES[-1][2]),
        )
        campaign.phases = [
            CampaignPhase(position=position, name=name, description=description,
                          starts_on=today + timedelta(days=start), ends_on=today + timedelta(days=end))
            for position, (name, start, end, description) in enumerate(PHASES, start=1)
        ]
        db.session.add(campaign)
        db.session.flush()
    ctx.campaign = campaign


# ---------------------------------------------------------------- staff accounts

# (login, name, gender, password, roles, unit name, branch name)
STAFF_ACCOUNTS = [
    ("admin", "系统管理员", None, "Admin@2026", ("admin",), None, None),
    ("organiser", "周文涛", "男", "Organiser@2026", ("organiser",), None, None),
    ("liaison", "陈晓燕", "女", "Liaison@2026", ("liaison",), "市委办公室", "第一党支部"),
    ("judge1", "赵国强", "男", "Judge@2026", ("judge",), None, None),
    ("judge2", "孙丽华", "女", "Judge@2026", ("judge",), None, None),
    ("judge3", "钱志远", "男", "Judge@2026", ("judge",), None, None),
    ("member", "林小雨", "女", MEMBER_PASSWORD, (), "市委办公室", "第二党支部"),
]


def load_staff_accounts(ctx: DemoContext) -> None:
    """The demo logins: admin, organiser, a liaison of 市委办公室, three judges and one member."""
    logins = [row[0] for row in STAFF_ACCOUNTS]
    existing = {user.staff_id: user for user in db.session.scalars(sa.select(User).where(User.staff_id.in_(logins)))}
    for login, name, gender, password, roles, unit_name, branch_name in STAFF_ACCOUNTS:
        user = existing.get(login)
        if user is None:
            unit = ctx.units.get(unit_name) if unit_name else None
            branch = ctx.branches.get((unit_name, branch_name)) if branch_name else None
            user = User(staff_id=login, name=name, gender=gender, unit_id=unit.id if unit else None,
                        branch_id=branch.id if branch else None, political_status="中共党员" if unit else None,
                        password_hash=ctx.password_hash(password), must_change_password=False, active=True)
            user.role_grants = [RoleGrant(role=role, unit_id=unit.id if role == "liaison" else None) for role in roles]
            db.session.add(user)
            db.session.flush()
            record_membership([user.id])
        ctx.accounts[login] = user


# ---------------------------------------------------------------- members

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
            "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤")
# The most common surnames come first and are drawn more often.
SURNAME_WEIGHTS = [max(1, 40 - index) for index in range(len(SURNAMES))]
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欣博文志建国峰海东亮成康星光天"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲桂丹萍红琳云莲洁梅琴雪倩颖婷慧佳晶媛月雯宁欣怡璐蕾薇露瑶晨悦妍"
POLITICAL_WEIGHTS = {"中共党员": 70, "预备党员": 5, "共青团员": 8, "民主党派": 4, "无党派人士": 3, "群众": 10}
MOBILE_PREFIXES = ("138", "139", "137", "135", "136", "150", "151", "152", "158", "159", "186", "187", "188", "189")
DUPLICATE_NAME_UNIT = "市财政局"  # two people called 王芳 here, told apart by staff ID and mobile
DUPLICATE_NAME = "王芳"


def _person(rng: random.Random) -> tuple[str, str]:
    gender = "男" if rng.random() < 0.55 else "女"
    letters = GIVEN_MALE if gender == "男" else GIVEN_FEMALE
    given = "".join(rng.choice(letters) for _ in range(1 if rng.random() < 0.3 else 2))
    return rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0] + given, gender


def demo_members(rng: random.Random) -> list[dict]:
    """The roster as plain values (same every run): staff ID, name, unit and branch names, mobile, …."""
    people, mobiles = [], set()
    for unit_number, (unit_name, branch_names) in enumerate(DEPARTMENTS, start=1):
        size = rng.randint(9, 21)
        for seq in range(1, size + 1):
            name, gender = _person(rng)
            if unit_name == DUPLICATE_NAME_UNIT:
                while name == DUPLICATE_NAME:  # exactly two namesakes, the ones placed below
                    name, gender = _person(rng)
                if seq in (2, 5):
                    name, gender = DUPLICATE_NAME, "女"
            mobile = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            while mobile in mobiles:
                mobile = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            mobiles.add(mobile)
            branch = rng.choice(branch_names) if branch_names and rng.random() < 0.9 else None
            people.append({
                "staff_id": f"{unit_number:02d}{seq:04d}", "name": name, "gender": gender, "mobile": mobile,
                "unit": unit_name, "branch": branch,
                "political_status": rng.choices(list(POLITICAL_WEIGHTS), weights=POLITICAL_WEIGHTS.values())[0],
                "active": rng.random() > 0.02 or seq <= 2,  # a few have left; the ones named in the notes have not
            })
    return people


def load_members(ctx: DemoContext) -> None:
    """A few hundred members with realistic names, unique mobiles and one shared password hash."""
    people = demo_members(random.Random(SEED))
    staff_ids = {row[0] for row in db.session.execute(sa.select(User.staff_id))}
    mobiles = {row[0] for row in db.session.execute(sa.select(User.mobile).where(User.mobile.is_not(None)))}
    shared_hash = ctx.password_hash(MEMBER_PASSWORD)
    now = utcnow()
    rows = []
    for person in people:
        if person["staff_id"] in staff_ids:
            continue
        unit = ctx.units[person["unit"]]
        branch = ctx.branches.get((person["unit"], person["branch"])) if person["branch"] else None
        rows.append({
            "staff_id": person["staff_id"], "name": person["name"], "gender": person["gender"],
            "mobile": None if person["mobile"] in mobiles else person["mobile"],
            "unit_id": unit.id, "branch_id": branch.id if branch else None,
            "political_status": person["political_status"], "active": person["active"],
            "password_hash": shared_hash, "must_change_password": False,
            "created_at": now, "updated_at": now,
        })
    if rows:
        db.session.execute(sa.insert(User), rows)
        record_membership(None)
    # The same count as the home page and the units page (app.units.services.headline_figures): active, with a unit.
    from app.units.services import headline_figures

    on_roster = headline_figures()["members"]
    disabled = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.unit_id.is_not(None), User.active.is_(False))) or 0
    ctx.note(f"在册人员：{on_roster} 名（另有 {disabled} 名已停用，不计入；本次新增 {len(rows)} 名），"
             f"密码均为 {MEMBER_PASSWORD}")
    namesakes = [person["staff_id"] for person in people
                 if person["unit"] == DUPLICATE_NAME_UNIT and person["name"] == DUPLICATE_NAME]
    ctx.note(f"同名人员：{DUPLICATE_NAME_UNIT}有 {len(namesakes)} 名{DUPLICATE_NAME}（工号 {'、'.join(namesakes)}）")


PLATFORM_LOADERS: tuple[Loader, ...] = (load_units, load_campaign, load_staff_accounts, load_members)


def demo_logins() -> list[DemoLogin]:
    """Every registered demo login, platform first (what `flask demo` prints)."""
    return list(hooks_of().demo_logins)


def load_demo(today: date | None = None) -> DemoContext:
    """Run every loader in order (without committing); returns the context with its notes."""
    ctx = DemoContext(today=today or local_today())
    registry = hooks_of()
    for loader in registry.demo_loaders:
        loader(ctx)
    record_membership(None)  # whatever a feature's loader did to the roster is in the history too
    for loader in registry.demo_final_loaders:
        loader(ctx)
    return ctx


# ---------------------------------------------------------------- command

def _width(text: str) -> int:
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def login_table() -> str:
    """The demo logins as an aligned plain-text table."""
    header = DemoLogin("角色", "登录名（工号）", "密码", "说明")
    rows = [header, *demo_logins()]
    widths = [max(_width(getattr(row, column)) for row in rows) for column in ("role", "login", "password")]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join([_pad(row.role, widths[0]), _pad(row.login, widths[1]),
                                _pad(row.password, widths[2]), row.note]).rstrip())
        if index == 0:
            lines.append("-" * (sum(widths) + 6 + max(_width(item.note) for item in rows)))
    return "\n".join(lines)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no users yet.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the demo campaign, units, members and staff accounts, then print the demo logins."""
    has_users = db.session.scalar(sa.select(User.id).limit(1)) is not None
    if if_empty and has_users:
        click.echo("数据库中已有用户，跳过演示数据。")
    else:
        try:
            ctx = load_demo()
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        click.echo("演示数据已就绪（重复运行不会改变已有数据）。")
        for note in ctx.notes:
            click.echo(f"  {note}")
    click.echo("")
    click.echo("演示账号（登录名可用工号或手机号）：")
    click.echo(login_table())


def init_app(app) -> None:
    """Register `flask demo` with the platform's loaders and logins (features add theirs after)."""
    from app import hooks

    for loader in PLATFORM_LOADERS:
        hooks.add_demo_loader(app, loader)
    hooks.add_demo_loader(app, PLATFORM_LOADERS[-1], logins=PLATFORM_LOGINS)
    app.cli.add_command(demo_command)
