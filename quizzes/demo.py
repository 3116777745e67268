"""Demo question bank (党建知识题库): 61 questions of all four types, loaded by `flask --app wsgi demo`.

load_demo_bank() goes through the real import (an in-memory workbook in the template's columns), so
the demo also exercises the import rules. It creates the bank only when it is missing and leaves an
existing bank untouched (an organiser may have edited it). A quiz demo loader can call it to get the
bank whatever order the loaders run in.
"""
from app.common.xlsx import OutColumn, Sheet, build_workbook
from quizzes.models import QuestionBank

DEMO_BANK_NAME = "党建知识题库"
DEMO_BANK_DESCRIPTION = "党史、党章党规、理论知识和解放思想大讨论学习内容，供知识竞赛和日常练习使用。"
POINTS = {"single": 1, "multiple": 2, "judge": 1, "fill": 2}

# (type, category, difficulty, stem, options, answer as written in the sheet, explanation)
QUESTIONS = [
    # ---- 党史
    ("single", "党史", "易", "中国共产党第一次全国代表大会于1921年7月在（ ）开幕。",
     ["北京", "上海", "广州", "武汉"], "B",
     "1921年7月23日，中共一大在上海开幕，会议最后一天转移到浙江嘉兴南湖的游船上举行，宣告中国共产党正式成立。"),
    ("single", "党史", "易", "1927年8月1日，中国共产党领导的（ ）打响了武装反抗国民党反动派的第一枪。",
     ["秋收起义", "广州起义", "南昌起义", "百色起义"], "C",
     "南昌起义标志着中国共产党独立领导武装斗争、创建人民军队和武装夺取政权的开始。"),
    ("single", "党史", "中", "在极端危急的历史关头挽救了党、挽救了红军、挽救了中国革命，成为党的历史上一个生死攸关转折点的会议是（ ）。",
     ["八七会议", "古田会议", "遵义会议", "洛川会议"], "C",
     "1935年1月召开的遵义会议开始确立以毛泽东同志为主要代表的马克思主义正确路线在党中央的领导地位。"),
    ("single", "党史", "中", "1929年12月召开的（ ）确立了思想建党、政治建军的原则。",
     ["古田会议", "遵义会议", "瓦窑堡会议", "八七会议"], "A",
     "古田会议决议是党和人民军队建设的纲领性文献。"),
    ("single", "党史", "易", "1945年召开的党的七大，确立（ ）为党的指导思想并写入党章。",
     ["马克思列宁主义", "毛泽东思想", "邓小平理论", "科学发展观"], "B",
     "党的七大把毛泽东思想确立为党的指导思想，写在党的旗帜上。"),
    ("single", "党史", "易", "实现了新中国成立以来党的历史上具有深远意义的伟大转折的会议是（ ）。",
     ["党的十一届三中全会", "党的十二大", "党的十一届六中全会", "党的十三大"], "A",
     "1978年12月召开的党的十一届三中全会，开启了改革开放和社会主义现代化建设新时期。"),
    ("single", "党史", "易", "党的十八大于（ ）年11月召开，中国特色社会主义进入新时代。",
     [2007, 2012, 2017, 2022], "B", "党的十八大于2012年11月在北京召开。"),
    ("single", "党史", "易", "2021年7月1日，庆祝中国共产党成立（ ）周年大会在北京天安门广场隆重举行。",
     [90, 95, 100, 105], "C", "中国共产党成立于1921年，2021年是建党100周年。"),
    ("single", "党史", "易", "党的二十大于（ ）年10月在北京召开。",
     [2017, 2020, 2022, 2023], "C", "中国共产党第二十次全国代表大会于2022年10月16日至22日在北京召开。"),
    ("multiple", "党史", "中", "毛泽东同志在《〈共产党人〉发刊词》中指出，中国共产党在中国革命中战胜敌人的三个法宝是（ ）。",
     ["统一战线", "土地革命", "武装斗争", "党的建设"], "ACD",
     "统一战线、武装斗争、党的建设是中国共产党在中国革命中战胜敌人的三个法宝。"),
    ("multiple", "党史", "中", "新中国成立初期，党领导人民开展的“三大运动”是（ ）。",
     ["抗美援朝", "土地改革", "镇压反革命", "大跃进"], "ABC",
     "抗美援朝、土地改革、镇压反革命三大运动巩固了新生的人民政权。"),
    ("judge", "党史", "易", "中共一大最后一天的会议是在浙江嘉兴南湖的一条游船上举行的。", [], "对",
     "因会场受到暗探注意和法租界巡捕搜查，一大最后一天的会议转移到嘉兴南湖的游船上举行。"),
    ("judge", "党史", "中", "遵义会议是在1936年召开的。", [], "错", "遵义会议于1935年1月召开。"),
    ("judge", "党史", "中", "1949年9月召开的中国人民政治协商会议第一届全体会议，通过了起临时宪法作用的《中国人民政治协商会议共同纲领》。",
     [], "对", "《共同纲领》在1954年宪法颁布前起临时宪法的作用。"),
    ("fill", "党史", "易", "中国共产党成立于（ ）年。", [], "1921", "1921年7月，中国共产党第一次全国代表大会召开。"),
    ("fill", "党史", "易", "1949年（ ）月（ ）日，中华人民共和国中央人民政府成立。", [], "10/十|1/一",
     "1949年10月1日下午，首都北京30万军民在天安门广场隆重举行开国大典。"),

    # ---- 党章党规
    ("single", "党章党规", "易", "党的最高领导机关是（ ）。",
     ["党的全国代表大会和它所产生的中央委员会", "中央政治局", "中央政治局常务委员会", "中央书记处"], "A",
     "见《中国共产党章程》第十条。"),
    ("single", "党章党规", "易", "党的根本组织原则是（ ）。",
     ["民主集中制", "集体领导", "个人分工负责", "少数服从多数"], "A", "民主集中制是党的根本组织原则和领导制度。"),
    ("single", "党章党规", "易", "预备党员的预备期为（ ）。", ["半年", "一年", "两年", "三年"], "B",
     "党章第七条：预备党员的预备期为一年。"),
    ("single", "党章党规", "中", "党员如果没有正当理由，连续（ ）个月不参加党的组织生活，或不交纳党费，或不做党所分配的工作，就被认为是自行脱党。",
     [3, 6, 9, 12], "B", "见《中国共产党章程》第九条。"),
    ("single", "党章党规", "易", "下列不属于党的纪律处分种类的是（ ）。",
     ["警告", "留党察看", "记大过", "开除党籍"], "C",
     "党的纪律处分有五种：警告、严重警告、撤销党内职务、留党察看、开除党籍。"),
    ("single", "党章党规", "中", "留党察看最长不超过（ ）。", ["一年", "两年", "三年", "五年"], "B",
     "党章第四十条：留党察看最长不超过两年。"),
    ("single", "党章党规", "中", "企业、农村、机关、学校等基层单位，凡是有正式党员（ ）人以上的，都应当成立党的基层组织。",
     ["三", "五", "七", "十"], "A", "见《中国共产党章程》第三十条。"),
    ("single", "党章党规", "易", "中国共产党党员必须全心全意为人民服务，不惜牺牲个人的一切，为实现（ ）奋斗终身。",
     ["共产主义", "小康社会", "民族复兴", "国家富强"], "A", "见《中国共产党章程》第二条。"),
    ("multiple", "党章党规", "易", "党的三大优良作风是（ ）。",
     ["理论联系实际", "密切联系群众", "批评与自我批评", "艰苦奋斗"], "ABC",
     "理论联系实际、密切联系群众、批评与自我批评是党的三大优良作风。"),
    ("multiple", "党章党规", "中", "下列属于党的纪律处分种类的有（ ）。",
     ["警告", "严重警告", "记过", "留党察看"], "ABD",
     "党的纪律处分有警告、严重警告、撤销党内职务、留党察看、开除党籍五种，没有“记过”。"),
    ("multiple", "党章党规", "中", "《中国共产党纪律处分条例》规定的党的“六项纪律”包括（ ）。",
     ["政治纪律", "组织纪律", "廉洁纪律", "群众纪律", "工作纪律", "生活纪律", "外事纪律"], "ABCDEF",
     "六项纪律是政治纪律、组织纪律、廉洁纪律、群众纪律、工作纪律和生活纪律。"),
    ("multiple", "党章党规", "中", "“三严三实”中的“三严”是指（ ）。",
     ["严以修身", "严以用权", "严以律己", "严以待人"], "ABC",
     "“三严三实”：既严以修身、严以用权、严以律己，又谋事要实、创业要实、做人要实。"),
    ("multiple", "党章党规", "易", "党的组织生活制度“三会一课”中的“三会”是指（ ）。",
     ["支部党员大会", "支部委员会", "党小组会", "民主生活会"], "ABC", "“一课”是按时上好党课。"),
    ("judge", "党章党规", "中", "预备党员有表决权、选举权和被选举权。", [], "错",
     "党章第七条：预备党员的权利，除了没有表决权、选举权和被选举权以外，也同正式党员一样。"),
    ("judge", "党章党规", "易", "党员的党龄从预备期满转为正式党员之日算起。", [], "对", "见《中国共产党章程》第七条。"),
    ("judge", "党章党规", "中", "党的各级领导机关，除它们派出的代表机关和在非党组织中的党组外，都由选举产生。", [], "对",
     "见《中国共产党章程》第十条。"),
    ("fill", "党章党规", "中", "党的纪律处分有五种：警告、严重警告、撤销党内职务、（ ）、开除党籍。", [], "留党察看",
     "见《中国共产党章程》第四十条。"),
    ("fill", "党章党规", "难", "除了法律和政策规定范围内的个人利益和工作职权以外，所有共产党员都不得谋求任何（ ）。", [],
     "私利和特权/私利、特权", "见《中国共产党章程》第二条。"),

    # ---- 理论知识
    ("single", "理论知识", "中", "党的二十大报告指出，从现在起，中国共产党的中心任务就是团结带领全国各族人民全面建成社会主义现代化强国、实现第二个百年奋斗目标，以（ ）全面推进中华民族伟大复兴。",
     ["中国式现代化", "高质量发展", "全面深化改革", "科技自立自强"], "A", "见党的二十大报告。"),
    ("single", "理论知识", "中", "（ ）是全面建设社会主义现代化国家的首要任务。",
     ["高质量发展", "全面深化改革", "科技创新", "乡村振兴"], "A", "党的二十大报告：高质量发展是全面建设社会主义现代化国家的首要任务。"),
    ("single", "理论知识", "易", "新时代我国社会主要矛盾是人民日益增长的（ ）需要和不平衡不充分的发展之间的矛盾。",
     ["物质文化", "美好生活", "精神文化", "物质生活"], "B", "党的十九大作出这一重大政治论断。"),
    ("single", "理论知识", "中", "党的二十大报告指出，（ ）是全面建设社会主义现代化国家的基础性、战略性支撑。",
     ["教育、科技、人才", "改革、开放、创新", "经济、政治、文化", "工业化、信息化、城镇化"], "A", "见党的二十大报告第五部分。"),
    ("single", "理论知识", "易", "我国的根本政治制度是（ ）。",
     ["人民代表大会制度", "中国共产党领导的多党合作和政治协商制度", "民族区域自治制度", "基层群众自治制度"], "A",
     "人民代表大会制度是我国的根本政治制度。"),
    ("multiple", "理论知识", "易", "“四个意识”是指（ ）。",
     ["政治意识", "大局意识", "核心意识", "看齐意识", "忧患意识"], "ABCD", "增强“四个意识”：政治意识、大局意识、核心意识、看齐意识。"),
    ("multiple", "理论知识", "易", "“四个自信”是指（ ）。",
     ["道路自信", "理论自信", "制度自信", "文化自信", "改革自信"], "ABCD",
     "坚定中国特色社会主义道路自信、理论自信、制度自信、文化自信。"),
    ("multiple", "理论知识", "中", "“五位一体”总体布局包括（ ）。",
     ["经济建设", "政治建设", "文化建设", "社会建设", "生态文明建设", "党的建设"], "ABCDE",
     "统筹推进经济建设、政治建设、文化建设、社会建设、生态文明建设“五位一体”总体布局。"),
    ("multiple", "理论知识", "中", "“四个全面”战略布局包括（ ）。",
     ["全面建设社会主义现代化国家", "全面深化改革", "全面扩大开放", "全面依法治国", "全面从严治党"], "ABDE",
     "协调推进全面建设社会主义现代化国家、全面深化改革、全面依法治国、全面从严治党。"),
    ("multiple", "理论知识", "易", "新发展理念是指（ ）的发展理念。",
     ["创新", "协调", "绿色", "开放", "共享", "高速"], "ABCDE", "完整、准确、全面贯彻创新、协调、绿色、开放、共享的新发展理念。"),
    ("judge", "理论知识", "易", "发展是党执政兴国的第一要务。", [], "对", "见党的二十大报告。"),
    ("judge", "理论知识", "易", "我国仍处于并将长期处于社会主义初级阶段的基本国情没有变。", [], "对",
     "这是我国最大的国情、最大的实际。"),
    ("judge", "理论知识", "中", "社会主义核心价值观中，国家层面的价值目标是“自由、平等、公正、法治”。", [], "错",
     "国家层面是富强、民主、文明、和谐；自由、平等、公正、法治是社会层面的价值取向。"),
    ("fill", "理论知识", "易", "社会主义核心价值观国家层面的价值目标是富强、民主、（ ）、和谐。", [], "文明",
     "社会主义核心价值观：富强、民主、文明、和谐，自由、平等、公正、法治，爱国、敬业、诚信、友善。"),
    ("fill", "理论知识", "中", "党的二十大报告指出，全面建设社会主义现代化国家，最艰巨最繁重的任务仍然在（ ）。", [], "农村",
     "见党的二十大报告第四部分。"),
    ("fill", "理论知识", "中", "在新中国成立（ ）年时，建成富强民主文明和谐美丽的社会主义现代化强国。", [], "一百/100",
     "这是第二个百年奋斗目标。"),

    # ---- 解放思想
    ("single", "解放思想", "易", "1978年5月11日，《光明日报》发表特约评论员文章（ ），引发了关于真理标准问题的大讨论。",
     ["《实践是检验真理的唯一标准》", "《解放思想，实事求是，团结一致向前看》", "《论十大关系》", "《关于正确处理人民内部矛盾的问题》"], "A",
     "真理标准问题大讨论冲破了“两个凡是”的束缚，为党的十一届三中全会召开作了思想准备。"),
    ("single", "解放思想", "中", "1978年12月，邓小平在中央工作会议闭幕会上作了题为（ ）的讲话，这篇讲话实际上成为党的十一届三中全会的主题报告。",
     ["《论十大关系》", "《解放思想，实事求是，团结一致向前看》", "《实践是检验真理的唯一标准》", "《关于建国以来党的若干历史问题的决议》"], "B",
     "这篇讲话是开辟新时期新道路、开创建设中国特色社会主义新理论的宣言书。"),
    ("single", "解放思想", "难", "邓小平南方谈话提出判断各方面工作是非得失的“三个有利于”标准，下列不属于“三个有利于”的是（ ）。",
     ["是否有利于发展社会主义社会的生产力", "是否有利于增强社会主义国家的综合国力", "是否有利于提高人民的生活水平",
      "是否有利于扩大对外开放"], "D", "“三个有利于”是1992年邓小平南方谈话提出的。"),
    ("multiple", "解放思想", "易", "党的思想路线的内容包括（ ）。",
     ["一切从实际出发", "理论联系实际", "实事求是", "在实践中检验真理和发展真理", "一切以经验为准"], "ABCD",
     "见《中国共产党章程》总纲。"),
    ("multiple", "解放思想", "中", "1980年，我国设立的首批经济特区有（ ）。",
     ["深圳", "珠海", "汕头", "厦门", "海南"], "ABCD", "海南经济特区于1988年设立。"),
    ("judge", "解放思想", "易", "解放思想就是要摒弃一切传统和经验，完全另起炉灶。", [], "错",
     "解放思想是在马克思主义指导下打破习惯势力和主观偏见的束缚，研究新情况、解决新问题，不是否定一切。"),
    ("judge", "解放思想", "易", "真理标准问题大讨论为党的十一届三中全会的召开作了思想准备。", [], "对",
     "这场讨论是一场马克思主义思想解放运动。"),
    ("judge", "解放思想", "易", "改革开放是决定当代中国命运的关键一招。", [], "对",
     "改革开放是党的一次伟大觉醒，是决定当代中国命运的关键一招。"),
    ("fill", "解放思想", "难", "邓小平指出：“一个党，一个国家，一个民族，如果一切从本本出发，思想僵化，迷信盛行，那它就不能前进，它的生机就停止了，就要（ ）。”",
     [], "亡党亡国", "出自《解放思想，实事求是，团结一致向前看》。"),
    ("fill", "解放思想", "易", "党的思想路线是一切从实际出发，理论联系实际，（ ），在实践中检验真理和发展真理。", [], "实事求是",
     "实事求是是马克思主义的根本观点，是中国共产党人认识世界、改造世界的根本要求。"),
    ("fill", "解放思想", "中", "党的十一届三中全会作出把党和国家工作中心转移到（ ）上来、实行改革开放的历史性决策。", [], "经济建设",
     "见《中共中央关于党的百年奋斗重大成就和历史经验的决议》。"),
]


def demo_workbook() -> bytes:
    """The demo questions as an import sheet (the same columns as the template)."""
    from quizzes.services.bank_sheets import COLUMNS, SHEET_TYPE_NAMES

    def rows():
        for question_type, category, difficulty, stem, options, answer, explanation in QUESTIONS:
            cells = list(options) + [None] * (8 - len(options))
            yield (SHEET_TYPE_NAMES[question_type], stem, *cells, answer, explanation, category, difficulty,
                   POINTS[question_type], None)

    columns = [OutColumn(column.header, "number" if column.key == "points" else "text") for column in COLUMNS]
    return build_workbook([Sheet("题库", columns, rows())])


def load_demo_bank(ctx=None) -> QuestionBank:
    """Create the demo bank through the import if it is missing; an existing bank is left as it is."""
    from quizzes.services import bank_sheets, banks

    bank = banks.find_bank(DEMO_BANK_NAME)
    if bank is not None:
        if ctx is not None:
            ctx.note(f"题库：{DEMO_BANK_NAME}已存在，未改动")
        return bank
    bank = banks.create_bank(None, DEMO_BANK_NAME, DEMO_BANK_DESCRIPTION)
    report = bank_sheets.import_questions(bank, demo_workbook(), None, filename="demo", bank_created=True)
    if ctx is not None:
        per_type = "，".join(f"{bank_sheets.SHEET_TYPE_NAMES[kind]} {counts['created']}" for kind, counts in report.counts.items())
        ctx.note(f"题库：{DEMO_BANK_NAME} {report.total('created')} 题（{per_type}）")
    return bank


# ---------------------------------------------------------------- demo quiz (知识竞赛)

DEMO_QUIZ_TITLE = "解放思想大讨论知识竞赛"
# Only what the start page does not already say from the settings (time, attempts, 切屏, autosave).
DEMO_QUIZ_RULES_TEXT = (
    "试卷从党建知识题库随机抽取：单选题 10 道、多选题 5 道、判断题 5 道、填空题 3 道，满分 31 分。请独立完成。"
)
DEMO_QUIZ_RULES = [("single", 10, 1.0), ("multiple", 5, 2.0), ("judge", 5, 1.0), ("fill", 3, 2.0)]
DEMO_ATTEMPTS = 60  # members who have already taken part, so rankings and statistics have something to show


def load_demo_quiz(ctx=None):
    """An open, published quiz in the demo campaign drawing from the demo bank, with some attempts already made.

    The quiz opens with the campaign's 知识竞赛 phase (or a week ago) and closes two weeks from now.
    An existing quiz of the same title is left untouched; the demo `member` login has not answered yet.
    """
    from datetime import datetime, time, timedelta

    import sqlalchemy as sa

    from app.campaigns.models import Campaign
    from app.common.clock import from_local, utcnow
    from app.extensions import db
    from quizzes.models import PaperRule, Quiz

    existing = db.session.scalar(sa.select(Quiz).where(Quiz.title == DEMO_QUIZ_TITLE))
    if existing is not None:
        if ctx is not None:
            ctx.note(f"知识竞赛：{DEMO_QUIZ_TITLE}已存在，未改动")
        return existing
    from quizzes.services.banks import find_bank

    bank = find_bank(DEMO_BANK_NAME) or load_demo_bank(ctx)
    campaign = getattr(ctx, "campaign", None) or db.session.scalar(
        sa.select(Campaign).order_by(Campaign.starts_on.desc()).limit(1))
    if campaign is None:
        return None
    now = utcnow()
    today = (ctx.today if ctx is not None else now.date())
    phase = next((p for p in campaign.phases if p.starts_on <= today <= p.ends_on and "竞赛" in p.name), None)
    opens_on = phase.starts_on if phase is not None else today - timedelta(days=7)
    closes_on = max(phase.ends_on if phase is not None else today, today + timedelta(days=14))
    quiz = Quiz(
        campaign_id=campaign.id, title=DEMO_QUIZ_TITLE, rules_text=DEMO_QUIZ_RULES_TEXT,
        opens_at=from_local(datetime.combine(opens_on, time(9, 0))),
        closes_at=from_local(datetime.combine(closes_on, time(18, 0))),
        time_limit_seconds=20 * 60, attempts_allowed=2, counting="best", shuffle_questions=True,
        # Answers after the close, not on submitting: with two attempts from one bank, a blank first
        # attempt would otherwise show the key for the second (see settings_warnings).
        shuffle_options=True, review_policy="after_close", paper_mode="random", partial_credit=False,
        leave_limit=5, is_published=True,
    )
    quiz.banks = [bank]
    quiz.rules = [PaperRule(position=index, question_type=kind, count=count, points_each=points)
                  for index, (kind, count, points) in enumerate(DEMO_QUIZ_RULES, start=1)]
    db.session.add(quiz)
    db.session.flush()
    taken = _demo_attempts(quiz, ctx, now)
    if ctx is not None:
        ctx.note(f"知识竞赛：{DEMO_QUIZ_TITLE}（进行中，已有 {taken} 人参加；member 账号尚未作答）")
    return quiz


DEMO_HOURS = (8, 21)  # members start between 08:00 and 20:59 Asia/Shanghai, so they submit before 21:30


def demo_start_time(rng, earliest, latest):
    """A moment between earliest and latest (naive UTC) at a sensible local hour (see DEMO_HOURS)."""
    from datetime import datetime, timedelta

    from app.common.clock import from_local, to_local

    first, last = to_local(earliest).date(), to_local(latest).date()
    days = max(0, (last - first).days)
    for _ in range(50):
        day = first + timedelta(days=rng.randint(0, days))
        moment = from_local(datetime.combine(day, datetime.min.time())
                            + timedelta(hours=rng.randint(DEMO_HOURS[0], DEMO_HOURS[1] - 1),
                                        minutes=rng.randrange(60), seconds=rng.randrange(60)))
        if earliest <= moment <= latest:
            return moment
    return max(earliest, min(latest, earliest + (latest - earliest) / 2))  # a window too narrow for the rule


def _demo_attempts(quiz, ctx, now) -> int:
    """Members who answered in the past days, through the real engine (start, autosave, submit)."""
    import random
    from datetime import timedelta

    import sqlalchemy as sa

    from app.accounts.models import User
    from app.extensions import db
    from quizzes.models import AttemptItem, Question
    from quizzes.services.attempts import save_answer, start_attempt, submit_attempt
    from quizzes.services.papers import to_displayed

    rng = random.Random(2026)
    members = list(db.session.scalars(
        sa.select(User).where(User.unit_id.is_not(None), User.active.is_(True), User.staff_id.not_in(
            ("member", "liaison"))).order_by(User.staff_id)))
    earliest = max(quiz.opens_at, now - timedelta(days=5))
    latest = now - timedelta(minutes=30)
    taken = 0
    for user in rng.sample(members, min(DEMO_ATTEMPTS, len(members))):
        started = demo_start_time(rng, earliest, latest)
        user.last_login_at = started  # they signed in to answer
        attempt = start_attempt(quiz, user, now=started)
        skill = rng.uniform(0.45, 0.97)
        rows = db.session.execute(
            sa.select(AttemptItem.position, AttemptItem.option_order, Question.question_type, Question.answer,
                      Question.options)
            .join(Question, Question.id == AttemptItem.question_id)
            .where(AttemptItem.attempt_id == attempt.id).order_by(AttemptItem.position)).all()
        moment = started
        for position, order, kind, key, options in rows:
            moment += timedelta(seconds=rng.randint(10, 45))
            if rng.random() < skill:
                response = ([alternatives[0] for alternatives in key] if kind == "fill"
                            else to_displayed(kind, key, order))
            elif kind == "single":
                response = rng.choice("ABCDEFGH"[:len(options)])
            elif kind == "multiple":
                response = sorted(rng.sample("ABCDEFGH"[:len(options)], 2))
            elif kind == "judge":
                response = rng.random() < 0.5
            else:
                response = ["不知道" for _ in key]
            save_answer(attempt.id, user.id, position, response, 1, now=moment)
        submit_attempt(attempt.id, now=moment + timedelta(seconds=rng.randint(5, 60)))
        taken += 1
    return taken


# ---------------------------------------------------------------- practice (练习)

DEMO_PRACTICE_SHARE = 0.45


def load_demo_practice(ctx=None) -> int:
    """Practice answers of about half the members, one to three each, over the past ten days (the quiz's
    practice figure in the campaign's participation statistics)."""
    import random
    from datetime import timedelta

    import sqlalchemy as sa

    from app.accounts.models import User
    from app.common.clock import utcnow
    from app.extensions import db
    from quizzes.models import PracticeAnswer, Question, QuestionBank, Quiz

    if ctx is None or ctx.campaign is None:
        return 0
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.campaign_id == ctx.campaign.id).order_by(Quiz.id).limit(1))
    if quiz is None or db.session.scalar(sa.select(PracticeAnswer.id).limit(1)) is not None:
        return 0
    bank = quiz.banks[0] if quiz.banks else db.session.scalar(sa.select(QuestionBank).limit(1))
    questions = list(db.session.execute(sa.select(Question.id, Question.answer).where(Question.bank_id == bank.id)
                                        .order_by(Question.id).limit(30))) if bank else []
    if not questions:
        return 0
    rng = random.Random(1414)
    now = utcnow()
    members = db.session.scalars(sa.select(User.id).where(User.unit_id.is_not(None), User.active.is_(True))
                                 .order_by(User.id)).all()
    rows = []
    for user_id in members:
        if rng.random() >= DEMO_PRACTICE_SHARE:
            continue
        for _ in range(rng.randint(1, 3)):
            question = rng.choice(questions)
            right = rng.random() < 0.7
            rows.append({"user_id": user_id, "bank_id": bank.id, "question_id": question.id,
                         "response": question.answer if right else None, "is_correct": right,
                         "answered_at": now - timedelta(days=rng.randint(0, 9), minutes=rng.randint(0, 600))})
    if rows:
        db.session.execute(sa.insert(PracticeAnswer), rows)
    if ctx is not None and rows:
        ctx.note(f"练习：{len(rows)} 条练习记录（约一半人员，近十天）")
    return len(rows)
