"""Form rendering shared by every page."""
import pytest
from markupsafe import Markup


@pytest.mark.parametrize("attributes", [
    {"id": "login", "name": "login", "type": "text", "value": "", "required": True, "maxlength": 64},
    {"value": '他说"好" <b>&amp;', "class_": "a b", "data_blank_no": 3, "aria_invalid": "true", "readonly": False},
    {"value": Markup("<i>kept</i>"), "for_": "x", "checked": True, "placeholder": None, "step": 0.5},
])
def test_fields_render_the_markup_wtforms_renders(attributes):
    """Widgets and labels render through a faster html_params: the markup must not change."""
    from app.common.forms import WTFORMS_HTML_PARAMS, html_params

    assert html_params(**attributes) == WTFORMS_HTML_PARAMS(**attributes)
    assert isinstance(html_params(**attributes), Markup)


def test_every_widget_uses_the_faster_html_params(app):
    import wtforms.widgets.core

    from app.common.forms import html_params

    assert wtforms.widgets.core.Input.html_params is html_params
    assert wtforms.widgets.core.html_params is html_params and wtforms.widgets.html_params is html_params
