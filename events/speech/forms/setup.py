"""Contest set-up forms (organisers): the contest, its rounds, its scoring settings."""
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.common.forms import Form, SubForm, options, strip_text
from app.common.problems import Problem
from events.judging.awards import CriterionAward, Tier
from events.judging.criteria import Criterion
from events.judging.deductions import OvertimeBand
from events.judging.standings import HIGHER_UNTRIMMED_MEAN, TieBreak, by_criterion
from events.speech.services.setup import ContestFacts, Scoring, parse_duration

BLANK_ROWS = 2
TIE_BREAK_ROWS = 3


class LocalDateTimeField(DateTimeLocalField):
    """An <input type=datetime-local>, read as Asia/Shanghai time, with a Chinese message."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            self.data = None
            raise ValueError(_l("请输入有效的时间，例如 2026-03-01 09:00")) from error


class ContestForm(Form):
    campaign_id = SelectField(_l("所属专项活动"), coerce=int, validators=[InputRequired(_l("请选择专项活动"))])
    title = StringField(_l("比赛名称"), filters=[strip_text], validators=[
        DataRequired(_l("请输入比赛名称")), Length(max=120, message=_l("名称不能超过 %(max)d 个字"))])
    venue = StringField(_l("比赛地点"), filters=[strip_text], validators=[Length(max=120)])
    held_on = DateField(_l("比赛日期"), validators=[Optional()])
    description = TextAreaField(_l("比赛说明"), validators=[Length(max=4000)])
    opens_at = LocalDateTimeField(_l("报名开始时间"), validators=[Optional()])
    closes_at = LocalDateTimeField(_l("报名截止时间"), validators=[Optional()])
    quota_per_unit = IntegerField(_l("每单位名额"), validators=[
        Optional(), NumberRange(1, 1000, _l("名额应在 %(min)s 到 %(max)s 之间"))])
    allow_self_apply = BooleanField(_l("允许个人报名（须审核）"), default=True)
    approval_required = BooleanField(_l("联络员报名也须审核"), default=True)
    time_limit = StringField(_l("演讲时限（分:秒）"), default="8:00", filters=[strip_text],
                             validators=[DataRequired(_l("请填写演讲时限"))])
    warning = StringField(_l("提醒时间（分:秒）"), default="7:30", filters=[strip_text])
    separate_same_unit = BooleanField(_l("抽签时同单位选手不相邻"), default=False)

    def facts(self) -> ContestFacts:
        """The typed values as ContestFacts; a Problem names the field of a malformed duration."""
        try:
            limit = parse_duration(self.time_limit.data)
        except Problem as problem:
            raise Problem(problem.message, "time_limit") from problem
        try:
            warning = parse_duration(self.warning.data)
        except Problem as problem:
            raise Problem(problem.message, "warning") from problem
        return ContestFacts(
            campaign_id=self.campaign_id.data, title=self.title.data, venue=self.venue.data or "",
            held_on=self.held_on.data, description=self.description.data or "",
            opens_at_local=self.opens_at.data, closes_at_local=self.closes_at.data,
            quota_per_unit=self.quota_per_unit.data, allow_self_apply=self.allow_self_apply.data,
            approval_required=self.approval_required.data, time_limit_seconds=limit or 0,
            warning_seconds=warning, separate_same_unit=self.separate_same_unit.data)


class RoundForm(Form):
    name = StringField(_l("轮次名称"), filters=[strip_text], validators=[
        DataRequired(_l("请填写轮次名称")), Length(max=40, message=_l("名称不能超过 %(max)d 个字"))])
    advance_count = IntegerField(_l("晋级下一轮人数"), validators=[
        Optional(), NumberRange(1, 1000, _l("人数应在 %(min)s 到 %(max)s 之间"))])


class CriterionRow(SubForm):
    name = StringField(_l("评分项"), filters=[strip_text], validators=[Length(max=40)])
    maximum = StringField(_l("满分"), filters=[strip_text])
    step = SelectField(_l("步长"), default="0.1", choices=options([("0.1", "0.1"), ("0.01", "0.01")]))
    soft_minimum = StringField(_l("常用下限"), filters=[strip_text])
    soft_maximum = StringField(_l("常用上限"), filters=[strip_text])
    description = StringField(_l("说明"), filters=[strip_text], validators=[Length(max=200)])


class WeightRow(SubForm):
    group = StringField(_l("评委组"), filters=[strip_text], validators=[Length(max=20)])
    weight = StringField(_l("权重（百分比）"), filters=[strip_text])


class BandRow(SubForm):
    seconds = StringField(_l("超时秒数"), filters=[strip_text])
    points = StringField(_l("扣分"), filters=[strip_text])
    inclusive = BooleanField(_l("含本数"))


class TierRow(SubForm):
    name = StringField(_l("奖项"), filters=[strip_text], validators=[Length(max=40)])
    count = StringField(_l("名额"), filters=[strip_text])
    share = StringField(_l("比例（百分比）"), filters=[strip_text])


class CriterionAwardRow(SubForm):
    name = StringField(_l("单项奖"), filters=[strip_text], validators=[Length(max=40)])
    criterion = SelectField(_l("对应评分项"), validate_choice=False)


class TieBreakRow(SubForm):
    kind = SelectField(_l("同分时比较"), validate_choice=False)


class ScoringForm(Form):
    criteria = FieldList(FormField(CriterionRow), min_entries=1)
    trim_from = IntegerField(_l("评委人数达到几人时去分（K）"), default=5, validators=[
        InputRequired(_l("请填写")), NumberRange(1, 99, _l("应在 %(min)s 到 %(max)s 之间"))])
    trim_each_end = IntegerField(_l("去掉最高分、最低分各几个（D）"), default=1, validators=[
        InputRequired(_l("请填写")), NumberRange(0, 10, _l("应在 %(min)s 到 %(max)s 之间"))])
    per_criterion = BooleanField(_l("按评分项分别去分后相加"))
    weights = FieldList(FormField(WeightRow), min_entries=1)
    bands = FieldList(FormField(BandRow), min_entries=1)
    places = SelectField(_l("成绩保留小数位"), coerce=int, default=2,
                         choices=options([(2, _l("两位")), (3, _l("三位"))]))
    tie_breaks = FieldList(FormField(TieBreakRow), min_entries=TIE_BREAK_ROWS)
    tiers = FieldList(FormField(TierRow), min_entries=1)
    awards = FieldList(FormField(CriterionAwardRow), min_entries=1)

    def set_criterion_choices(self, names: list[str]) -> None:
        """The criterion pickers (tie-breaks, single awards) offer the sheet's criteria."""
        for row in self.awards:
            row.form.criterion.choices = options([("", "—"), *((name, name) for name in names)])
        for row in self.tie_breaks:
            row.form.kind.choices = options([("", "—"), ("untrimmed_mean", _("未去分平均分高者在前")),
                                             *((f"criterion:{name}", _("“%(criterion)s”得分高者在前", criterion=name))
                                               for name in names)])

    def scoring(self) -> Scoring:
        """The rows as events/judging objects (blank rows skipped); a Problem names what is malformed."""
        criteria = []
        for row in self.criteria:
            data = row.form
            if not data.name.data and not data.maximum.data:
                continue
            if not data.name.data:
                raise Problem(_("请填写评分项名称"), "criteria")
            criteria.append(Criterion(
                data.name.data, _number(data.maximum.data, data.name.data, "criteria", required=True),
                Decimal(data.step.data if data.step.data in ("0.1", "0.01") else "0.1"),
                _number(data.soft_minimum.data, data.name.data, "criteria"),
                _number(data.soft_maximum.data, data.name.data, "criteria"), data.description.data or ""))
        weights = {}
        for row in self.weights:
            if row.form.group.data or row.form.weight.data:
                if not row.form.group.data:
                    raise Problem(_("请填写评委组名称"), "weights")
                weights[row.form.group.data] = _number(row.form.weight.data, row.form.group.data, "weights",
                                                       required=True)
        bands = [OvertimeBand(_number(row.form.seconds.data, _("超时扣分表"), "bands", required=True),
                              _number(row.form.points.data, _("超时扣分表"), "bands", required=True),
                              bool(row.form.inclusive.data))
                 for row in self.bands if row.form.seconds.data or row.form.points.data]
        tie_breaks = []
        for row in self.tie_breaks:
            value = row.form.kind.data or ""
            if value == "untrimmed_mean":
                tie_breaks.append(HIGHER_UNTRIMMED_MEAN)
            elif value.startswith("criterion:"):
                tie_breaks.append(by_criterion(value.removeprefix("criterion:")))
        tiers = []
        for row in self.tiers:
            data = row.form
            if not (data.name.data or data.count.data or data.share.data):
                continue
            if not data.name.data:
                raise Problem(_("请填写奖项名称"), "tiers")
            count = _number(data.count.data, data.name.data, "tiers")
            if count is not None and count != count.to_integral_value():
                raise Problem(_("奖项“%(award)s”的名额须为整数", award=data.name.data), "tiers")
            tiers.append(Tier(data.name.data, None if count is None else int(count),
                              _number(data.share.data, data.name.data, "tiers")))
        awards = [CriterionAward(row.form.name.data, row.form.criterion.data or "")
                  for row in self.awards if row.form.name.data]
        return Scoring(criteria=criteria, trim_from=self.trim_from.data, trim_each_end=self.trim_each_end.data,
                       per_criterion=bool(self.per_criterion.data), group_weights=weights, overtime_bands=bands,
                       places=self.places.data, tie_breaks=[t for t in tie_breaks if isinstance(t, TieBreak)],
                       award_tiers=tiers, criterion_awards=awards)


def _number(text: str | None, owner: str, field: str, *, required: bool = False) -> Decimal | None:
    """A typed decimal number (full-width digits folded), None when blank and not required."""
    from app.common.text import to_halfwidth

    text = to_halfwidth(text or "").strip()
    if not text:
        if required:
            raise Problem(_("“%(owner)s”缺少数值", owner=owner), field)
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise Problem(_("“%(owner)s”的数值“%(value)s”无效", owner=owner, value=text), field) from error
    if not value.is_finite() or abs(value) > 100000:
        raise Problem(_("“%(owner)s”的数值“%(value)s”无效", owner=owner, value=text), field)
    return value
