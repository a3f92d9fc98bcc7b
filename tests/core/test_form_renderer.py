"""limen.core.form_renderer gives exactly the markup of Django's widget templates."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from limen.core.form_renderer import Renderer

WIDGETS = [
    forms.TextInput(), forms.EmailInput(), forms.PasswordInput(render_value=True), forms.HiddenInput(),
    forms.NumberInput(), forms.URLInput(), forms.DateInput(), forms.TimeInput(), forms.DateTimeInput(),
]
VALUES = [None, "", "ada@example.org", 'a"<b>&\'c', mark_safe("<i>safe</i>"), 42, 3.5, ("a", "b")]
ATTRS = [{}, {"required": True, "autofocus": False, "aria-describedby": "x_help x_error"},
         {"placeholder": 'say "hi" <now>', "maxlength": 254, "data-x": mark_safe("&amp;"), "class": ""}]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("attrs", ATTRS, ids=lambda a: ",".join(a) or "none")
def test_same_markup_as_the_templates(widget, value, attrs):
    assert widget.render("field", value, attrs=attrs, renderer=Renderer()) == \
        widget.render("field", value, attrs=attrs, renderer=DjangoTemplates())


def test_plain_inputs_are_written_out_and_others_go_to_the_templates():
    renderer = Renderer()
    assert "django/forms/widgets/email.html" in renderer.plain_inputs
    assert "django/forms/widgets/select.html" not in renderer.plain_inputs
    select = forms.Select(choices=[("a", "<A>")])
    assert select.render("s", "a", renderer=renderer) == select.render("s", "a", renderer=DjangoTemplates())


def test_a_changed_input_template_falls_back_to_the_templates(monkeypatch):
    monkeypatch.setattr("limen.core.form_renderer.INPUT", "something else")
    assert Renderer().plain_inputs == frozenset()


def test_the_sign_in_pages_use_it(settings):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), Renderer)
