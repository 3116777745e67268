"""The exhibition's forms: set-up (organisers), a work (members), review actions (organisers)."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.common.forms import Form, SubForm, options, strip_text
from events.exhibition.award_models import MAX_DAILY_VOTES
from events.exhibition.models import MAX_SET_IMAGES, MAX_SLOTS
from events.judging.versions import CORRECTION_NOTE_MAX
from quizzes.forms.settings import LocalDateTimeField

CATEGORY_ROWS = 6


class CategoryForm(SubForm):
    category_id = HiddenField()
    name = StringField(_l("类别名称"), filters=[strip_text], validators=[
        Optional(), Length(max=40, message=_l("名称不能超过 %(max)d 个字"))])
    works_per_member = IntegerField(_l("每人限投件数"), default=1, validators=[
        Optional(), NumberRange(1, MAX_SLOTS, _l("应在 %(min)s 到 %(max)s 之间"))])
    max_images = IntegerField(_l("每件最多图片数（大于 1 即组照）"), default=1, validators=[
        Optional(), NumberRange(1, MAX_SET_IMAGES, _l("应在 %(min)s 到 %(max)s 之间"))])
    min_long_edge = IntegerField(_l("图片长边至少（像素）"), default=0, validators=[
        Optional(), NumberRange(0, 20000, _l("应在 %(min)s 到 %(max)s 之间"))])
    is_photo = BooleanField(_l("摄影类（检查 EXIF）"))
    has_physical = BooleanField(_l("填写尺寸和材质（书法、绘画）"))
    checklist = TextAreaField(_l("审核要点（每行一条）"), validators=[Length(max=2000)])

    @property
    def is_blank(self) -> bool:
        return not (self.name.data or "").strip()


class ExhibitionForm(Form):
    campaign_id = SelectField(_l("所属专项活动"), coerce=int, validators=[InputRequired(_l("请选择专项活动"))])
    title = StringField(_l("展览名称"), filters=[strip_text], validators=[
        DataRequired(_l("请输入展览名称")), Length(max=120, message=_l("名称不能超过 %(max)d 个字"))])
    rules = TextAreaField(_l("征稿启事与规则"), validators=[Length(max=8000, message=_l("不能超过 %(max)d 个字"))])
    opens_at = LocalDateTimeField(_l("征集开始"), validators=[InputRequired(_l("请填写开始时间"))])
    closes_at = LocalDateTimeField(_l("征集截止"), validators=[InputRequired(_l("请填写截止时间"))])
    max_file_mb = IntegerField(_l("单个文件上限（MB）"), default=30, validators=[
        InputRequired(_l("请填写文件上限")), NumberRange(1, 100, _l("应在 %(min)s 到 %(max)s 之间"))])
    exif_required = BooleanField(_l("摄影作品须为带 EXIF 的原图"), default=True)
    review_required = BooleanField(_l("作品须经组织方审核后展出"), default=True)
    categories = FieldList(FormField(CategoryForm), min_entries=CATEGORY_ROWS, max_entries=CATEGORY_ROWS)


class WorkForm(Form):
    category_id = SelectField(_l("作品类别"), coerce=int, validators=[InputRequired(_l("请选择作品类别"))])
    title = StringField(_l("作品名称"), filters=[strip_text], validators=[
        DataRequired(_l("请输入作品名称")), Length(max=100, message=_l("名称不能超过 %(max)d 个字"))])
    statement = TextAreaField(_l("创作说明"), validators=[Length(max=1000, message=_l("不能超过 %(max)d 个字"))])
    width_cm = DecimalField(_l("宽（厘米）"), places=1, validators=[
        Optional(), NumberRange(1, 10000, _l("应在 %(min)s 到 %(max)s 之间"))])
    height_cm = DecimalField(_l("高（厘米）"), places=1, validators=[
        Optional(), NumberRange(1, 10000, _l("应在 %(min)s 到 %(max)s 之间"))])
    medium = StringField(_l("材质或形式"), filters=[strip_text], validators=[
        Length(max=60, message=_l("不能超过 %(max)d 个字"))])
    year_made = IntegerField(_l("创作年份"), validators=[
        Optional(), NumberRange(1900, 2100, _l("应在 %(min)s 到 %(max)s 之间"))])
    coauthors = StringField(_l("合作者工号（可选，多个用逗号分隔）"), filters=[strip_text], validators=[Length(max=200)])
    pledge = BooleanField(_l("本人承诺作品为原创，未侵犯他人权利；同意主办方在展览、作品集和网上展示中使用本作品"))
    images = HiddenField()  # the staging tokens, one a line, in order
    save_draft = HiddenField()

    def coauthor_ids(self) -> list[str]:
        raw = (self.coauthors.data or "").replace("，", ",").replace("、", ",").replace(" ", ",")
        return [part for part in (item.strip() for item in raw.split(",")) if part]

    def tokens(self) -> list[str]:
        return [line.strip() for line in (self.images.data or "").splitlines() if line.strip()][:MAX_SET_IMAGES + 1]


class ReviewForm(Form):
    action = SelectField(_l("操作"), choices=options([("accept", _l("通过")), ("reject", _l("退回")),
                                                      ("in_review", _l("标记为审核中"))]))
    reason = StringField(_l("退回原因（投稿人可见）"), filters=[strip_text], validators=[Length(max=500)])
    work_ids = HiddenField()


def parse_ids(raw: str | list) -> list[int]:
    values = raw if isinstance(raw, list) else str(raw or "").replace(",", " ").split()
    return [int(value) for value in values if isinstance(value, str) and value.isascii() and value.isdigit()
            and len(value) <= 9][:1000]


# ---------------------------------------------------------------- awards and the members' vote

TIER_ROWS = 6


class TierRowForm(SubForm):
    name = StringField(_l("奖项名称"), filters=[strip_text], validators=[
        Optional(), Length(max=30, message=_l("名称不能超过 %(max)d 个字"))])
    count = IntegerField(_l("名额（最后一项可留空：其余全部）"), validators=[
        Optional(), NumberRange(0, 10000, _l("应在 %(min)s 到 %(max)s 之间"))])


class TiersForm(Form):
    """A category's award tiers, in order (一等奖 1, 二等奖 3 …)."""

    tiers = FieldList(FormField(TierRowForm), min_entries=TIER_ROWS, max_entries=TIER_ROWS)

    def values(self) -> list[tuple[str, int | None]]:
        return [(row.form.name.data or "", row.form.count.data) for row in self.tiers]


class PublishForm(Form):
    """Publish (or correct) the awards: the 公示 end date and, for a correction, the 更正 note."""

    notice_until = DateField(_l("公示截止日期"), validators=[DataRequired(message=_l("请填写公示截止日期"))])
    correction_note = TextAreaField(_l("更正说明"), filters=[strip_text],
                                    validators=[Optional(), Length(max=CORRECTION_NOTE_MAX)])


class VotingForm(Form):
    opens_at = LocalDateTimeField(_l("投票开始"), validators=[InputRequired(_l("请填写开始时间"))])
    closes_at = LocalDateTimeField(_l("投票结束"), validators=[InputRequired(_l("请填写结束时间"))])
    daily_limit = IntegerField(_l("每人每天可投票数"), default=3, validators=[
        InputRequired(_l("请填写每日票数")), NumberRange(1, MAX_DAILY_VOTES, _l("应在 %(min)s 到 %(max)s 之间"))])
