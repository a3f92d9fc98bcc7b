"""Template helpers: accessible form fields, where a request came from, when something happened."""

import datetime as dt
import functools

from django import template
from django.conf import settings
from django.utils import dateformat, formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from limen.core import browsers

register = template.Library()


@register.simple_tag
def widget(field, **extra):
    """Render a bound field's widget with ids for its help and error texts."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_error")
    attrs = dict(extra)
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.field.required:
        attrs["required"] = True
        attrs["aria-required"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def include_part(context, template_name: str, values: dict):
    """``{% include %}`` of a template named at run time with a dict of variables on top of the page's own
    context: one render, where a separate render_to_string would build the request's context again."""
    template = context.template.engine.get_template(template_name)
    with context.push(values):
        return template.render(context)


@register.filter
def browser_summary(user_agent: str) -> str:
    """'Firefox on Windows' for a User-Agent header (the raw header is for operators only)."""
    return browsers.summary(user_agent)


@register.simple_tag
def timestamp(value, empty=""):
    """A date and time in the reader's language's format, with its time zone, in a <time> element:
    '30 Nov 2026, 16:08 UTC'. Every list page shows its dates this way. ``empty`` stands in for None."""
    if not value:
        return empty
    if not isinstance(value, dt.datetime):
        return format_html('<time datetime="{}">{}</time>', value.isoformat(), formats.date_format(value))
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html('<time datetime="{}">{} {}</time>', local.isoformat(timespec="seconds"),
                       formats.date_format(local, "DATETIME_FORMAT"), dateformat.format(local, "T"))


@functools.lru_cache(maxsize=64)
def _language_options(languages: tuple, current: str) -> str:
    return "\n".join(format_html('<option value="{}" lang="{}" {}>{}</option>', code, code,
                                 "selected" if code == current else "", name) for code, name in languages)


@register.simple_tag
def language_options(current: str):
    """The <option>s of the language switcher, ``current`` selected. Every page shows all 24 languages:
    the list is the same for every request in a language, so it is built once per language instead of
    looping in the template on each page (a quarter of a sign-in page's rendering)."""
    return mark_safe(_language_options(tuple(settings.LANGUAGES), current))
