"""Django's form renderer, with the plain ``<input>`` widgets written out in Python.

Every sign-in page renders a field or two; through the templates ``email.html`` → ``input.html`` →
``attrs.html`` one widget cost about as much as the rest of its field. This renderer gives the same
markup for the widgets whose template is only ``{% include "django/forms/widgets/input.html" %}``, and
only while ``input.html`` and ``attrs.html`` are Django's own (checked against their text once, so an
override of either falls back to the templates); every other widget goes through the templates as before.
``FORM_RENDERER = "limen.core.form_renderer.Renderer"``; tests/core/test_form_renderer.py compares both.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

WIDGETS = "django/forms/widgets/"
INCLUDE_INPUT = '{% include "django/forms/widgets/input.html" %}'
INPUT = ('<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %} '
         'value="{{ widget.value|stringformat:\'s\' }}"{% endif %}{% include "django/forms/widgets/attrs.html" %}>')
ATTRS = ("{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
         "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}")
CANDIDATES = ["text", "email", "password", "hidden", "number", "url", "tel", "search", "date", "datetime", "time"]


def _as_s(value) -> str:
    """``{{ value|stringformat:'s' }}`` under autoescape: "%s" % value, escaped unless it was safe already."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text if isinstance(value, SafeData) else escape(text)


class Renderer(DjangoTemplates):
    @cached_property
    def plain_inputs(self) -> frozenset[str]:
        def source(name):
            try:
                return self.get_template(name).template.source.strip()
            except TemplateDoesNotExist:
                return None

        if source(WIDGETS + "input.html") != INPUT or source(WIDGETS + "attrs.html") != ATTRS:
            return frozenset()
        return frozenset(name for name in (f"{WIDGETS}{c}.html" for c in CANDIDATES) if source(name) == INCLUDE_INPUT)

    def render(self, template_name, context, request=None):
        if template_name in self.plain_inputs:
            return self.input(context["widget"])
        return super().render(template_name, context, request=request)

    @staticmethod
    def input(widget: dict) -> str:
        html = [f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"']
        if widget["value"] is not None:
            html.append(f' value="{_as_s(widget["value"])}"')
        for name, value in widget["attrs"].items():
            if value is not False:
                html.append(f" {conditional_escape(name)}")
                if value is not True:
                    html.append(f'="{_as_s(value)}"')
        html.append(">")
        return "".join(html)
