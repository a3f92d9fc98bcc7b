"""Template helpers: accessible form fields."""

from django import template

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
