"""The draw, host console and timekeeper forms (the rules themselves are in services/draw.py and
services/live.py; these only carry what was typed)."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.common.forms import INTEGER_LIMIT, Form, options, strip_text


class DrawForm(Form):
    seed = StringField(_l("抽签种子（可不填，自动生成）"), filters=[strip_text], validators=[Optional(), Length(max=64)])
    separate_units = BooleanField(_l("同一单位的选手不相邻"))


def manual_draw_form(entry_ids, formdata=None):
    """The physical draw (现场抽签): one number field per contestant, named n<entry id>."""

    class ManualDrawForm(Form):
        pass

    for entry_id in entry_ids:
        setattr(ManualDrawForm, f"n{entry_id}", IntegerField(
            _l("抽到的序号"), validators=[InputRequired(_l("请填写序号")), NumberRange(min=1, max=INTEGER_LIMIT)]))
    return ManualDrawForm(formdata=formdata) if formdata is not None else ManualDrawForm()


class MoveForm(Form):
    position = IntegerField(_l("调整到第几位"), validators=[InputRequired(), NumberRange(min=1, max=INTEGER_LIMIT)])
    reason = StringField(_l("调整原因"), filters=[strip_text], validators=[InputRequired(_l("请填写调整原因")),
                                                                          Length(max=200)])


class RehearsalForm(Form):
    name = StringField(_l("试评选手名称"), filters=[strip_text], validators=[Optional(), Length(max=64)])


class NoShowForm(Form):
    reason = SelectField(_l("原因"), choices=options([("弃权", _l("弃权")), ("缺席", _l("缺席"))]))


def screen_mode_choices():
    return [("standby", _l("待机")), ("draw", _l("抽签结果")), ("on_stage", _l("当前选手")),
            ("progress", _l("评分进度")), ("reveal", _l("亮分")), ("leaderboard", _l("排行榜")),
            ("awards", _l("获奖名单"))]


class ScreenModeForm(Form):
    mode = SelectField(_l("大屏显示"), choices=options(screen_mode_choices()))


class RevealPolicyForm(Form):
    policy = SelectField(_l("亮分方式"), choices=options([("each", _l("每位选手评完即亮分")),
                                                       ("end", _l("全部结束后统一亮分"))]))


class TimeForm(Form):
    seconds = StringField(_l("用时（秒，或 分:秒）"), filters=[strip_text], validators=[Optional(), Length(max=12)])


class DeductionForm(Form):
    points = StringField(_l("扣分"), filters=[strip_text], validators=[InputRequired(_l("请填写扣分")), Length(max=12)])
    reason = StringField(_l("扣分原因"), filters=[strip_text], validators=[InputRequired(_l("请填写扣分原因")),
                                                                           Length(max=200)])


class RemoveDeductionForm(Form):
    reason = StringField(_l("撤销原因"), filters=[strip_text], validators=[InputRequired(_l("请填写撤销原因")),
                                                                           Length(max=120)])
