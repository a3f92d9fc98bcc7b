"""The request form (built from the application's fields), the code form, and the validators' reason form."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from limen.core import clock
from limen.core.forms import CleanForm, has_control_characters

from .decisions import MAX_REASON
from .fields import FieldSpec, Kind, localized

PREFIX = "f_"
AGAIN = "_again"
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"]
OLDEST = dt.date(1900, 1, 1)


def form_name(spec: FieldSpec) -> str:
    return PREFIX + spec.name


def _messages(max_length: int | None = None) -> dict:
    messages = {"required": _("Fill in this field.")}
    if max_length:
        messages["max_length"] = _("At most %(limit_value)d characters (you typed %(show_value)d).")
    return messages


def no_control_characters(value: str) -> None:
    """Before any other check, so the person learns what is really wrong."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(CleanForm.control_message, code="control_characters")


class PatternValidator:
    def __init__(self, pattern: str):
        self.regex = re.compile(pattern)

    def __call__(self, value: str) -> None:
        if value and not self.regex.fullmatch(value):
            raise ValidationError(_("This is not in the expected form. Check what you typed."), code="pattern")


class PastDateField(forms.DateField):
    default_error_messages = {
        "required": _("Fill in this field."),
        "invalid": _("This date does not exist. Choose it in the calendar, or type it as DD/MM/YYYY, "
                     "for example 31/12/1958."),
    }

    def __init__(self, **kwargs):
        today = clock.now().date()
        widget = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "min": OLDEST.isoformat(),
                                                           "max": today.isoformat()})
        super().__init__(input_formats=DATE_FORMATS, widget=widget, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value > clock.now().date():
            raise ValidationError(_("This date is in the future. Check the year."), code="future")
        if value and value < OLDEST:
            raise ValidationError(_("This date is too far in the past. Check the year."), code="too_old")


class IdentifierField(forms.CharField):
    """Spaces are not part of an identifier: "1234 5678" is 12345678, and counts 8 characters."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(" ", "").replace("\u00a0", "") if isinstance(value, str) else value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if self.max_length is not None:
            attrs["maxlength"] = str(self.max_length * 2)  # room for the spaces people type
        return attrs


def _field(spec: FieldSpec) -> forms.Field:
    label, help_text = localized(spec.label), localized(spec.help)
    common = {"label": label, "help_text": help_text, "required": spec.required}
    if spec.kind == Kind.DATE:
        hint = _("Choose the date in the calendar, or type it.")
        return PastDateField(**{**common, "help_text": f"{help_text} {hint}".strip()})
    if spec.kind == Kind.CHOICE:
        choices = [("", _("Choose…"))] + [(c, c) for c in spec.choices]
        return forms.ChoiceField(choices=choices, error_messages={
            "required": _("Choose one of the options."),
            "invalid_choice": _("Choose one of the options in the list.")}, **common)
    validators = [no_control_characters] + ([PatternValidator(spec.pattern)] if spec.pattern else [])
    identifier = spec.kind == Kind.IDENTIFIER
    attrs = {"autocomplete": "off", "spellcheck": "false"} if identifier else {}
    return (IdentifierField if identifier else forms.CharField)(
        max_length=spec.max_length, validators=validators, error_messages=_messages(spec.max_length),
        widget=forms.TextInput(attrs=attrs), **common)


class RequestForm(CleanForm):
    """One field per spec, an identifier twice, and how the code should come (if there is a choice)."""

    def __init__(self, specs: list[FieldSpec], *args, delivery_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.specs = specs
        for spec in specs:
            self.fields[form_name(spec)] = _field(spec)
            if spec.kind == Kind.IDENTIFIER:
                self.fields[form_name(spec) + AGAIN] = IdentifierField(
                    label=_("%(label)s, again") % {"label": localized(spec.label)},
                    help_text=_("Type it a second time, so that a typing mistake is noticed."),
                    required=spec.required, max_length=spec.max_length, error_messages=_messages(spec.max_length),
                    validators=[no_control_characters],
                    widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
        if len(delivery_choices) > 1:
            self.fields["delivery"] = forms.ChoiceField(
                label=_("Send me the validation code"), choices=delivery_choices, initial=delivery_choices[0][0],
                widget=forms.RadioSelect, error_messages={"invalid_choice": _("Choose one of the options."),
                                                          "required": _("Choose one of the options.")})

    def clean(self):
        data = super().clean()
        for spec in self.specs:
            if spec.kind != Kind.IDENTIFIER:
                continue
            name = form_name(spec)
            first, second = data.get(name), data.get(name + AGAIN)
            if first and second is not None and name + AGAIN not in self.errors and first != second:
                self.add_error(name + AGAIN, ValidationError(
                    _("The two do not match. Type the same %(label)s in both fields.")
                    % {"label": localized(spec.label)}, code="mismatch"))
        return data

    def values(self) -> dict[str, str]:
        """What is stored and released: texts, dates as YYYY-MM-DD; empty optional fields left out."""
        values = {}
        for spec in self.specs:
            value = self.cleaned_data.get(form_name(spec))
            if isinstance(value, dt.date):
                value = value.isoformat()
            if value not in (None, ""):
                values[spec.name] = str(value)
        return values


class CodeForm(CleanForm):
    """One field without JavaScript; access-code.js turns it into four boxes of three characters."""

    code = forms.CharField(
        label=_("Validation code"), max_length=40, strip=True,
        help_text=_("12 letters and digits, as in the message we sent you, for example ABC-DEF-GHJ-KMN."),
        error_messages={"required": _("Type the validation code.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false",
                                      "autocapitalize": "characters", "class": "code-input",
                                      "data-code-boxes": "4", "data-box-size": "3"}))


class ReasonForm(CleanForm):
    reason = forms.CharField(
        label=_("Reason, sent to the person"), max_length=MAX_REASON, required=True,
        error_messages={"required": _("Say why, in a few words: the person receives this reason by e-mail."),
                        "max_length": _("At most %(limit_value)d characters (you typed %(show_value)d).")},
        widget=forms.Textarea(attrs={"rows": 3}))
