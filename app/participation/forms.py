"""The per-campaign figure settings form: for each column, required, target rate, weight and whether
it counts towards "took part in at least one" (fields are built for the columns registered)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DecimalField
from wtforms.validators import InputRequired, NumberRange, Optional

from app.common.forms import Form
from app.participation.figures import ActivityColumn
from app.participation.settings import MEMBERS, SettingData

MAX_WEIGHT = Decimal("100")


class _SafeDecimalField(DecimalField):
    """A DecimalField whose message for anything that is not a number is in the user's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except (ValueError, TypeError, InvalidOperation) as error:
            self.data = None
            raise ValueError(_l("请输入有效的数字")) from error
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(_l("请输入有效的数字"))


class SettingsForm(Form):
    """Fields required_N, target_N, weight_N, counts_N for the N-th column (see settings_form)."""


def settings_form(columns: list[ActivityColumn]) -> SettingsForm:
    """A form with one group of fields per column, prefilled from the columns' current settings."""

    class Bound(SettingsForm):
        pass

    for index, column in enumerate(columns):
        if column.kind == MEMBERS:
            setattr(Bound, f"required_{index}", BooleanField(_l("必须参加"), default=column.required))
            setattr(Bound, f"counts_{index}", BooleanField(_l("计入“至少参加一项”"),
                                                           default=column.counts_for_coverage))
        setattr(Bound, f"target_{index}", _SafeDecimalField(
            _l("目标参与率（%）"), places=1, default=column.target_rate, validators=[
                Optional(), NumberRange(min=0, max=100, message=_l("目标参与率应在 0 到 100 之间"))]))
        setattr(Bound, f"weight_{index}", _SafeDecimalField(
            _l("综合指数权重"), places=2, default=column.weight, validators=[
                InputRequired(_l("请填写权重（不计入综合指数填 0）")),
                NumberRange(min=0, max=MAX_WEIGHT, message=_l("权重应在 0 到 100 之间"))]))
    return Bound()


def field_groups(form: SettingsForm, columns: list[ActivityColumn]) -> list[tuple[ActivityColumn, dict]]:
    """(column, {"required", "counts", "target", "weight": field or None}) for the template."""
    return [(column, {name: getattr(form, f"{name}_{index}", None)
                      for name in ("required", "counts", "target", "weight")})
            for index, column in enumerate(columns)]


def submitted_settings(form: SettingsForm, columns: list[ActivityColumn]) -> dict[str, SettingData]:
    values = {}
    for column, fields in field_groups(form, columns):
        target = fields["target"].data
        values[column.key] = SettingData(
            required=bool(fields["required"].data) if fields["required"] is not None else False,
            target_rate=target.quantize(Decimal("0.1")) if target is not None else None,
            weight=fields["weight"].data.quantize(Decimal("0.01")),
            counts_for_coverage=bool(fields["counts"].data) if fields["counts"] is not None else False)
    return values
