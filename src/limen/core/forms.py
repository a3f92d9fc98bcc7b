"""Form helpers shared by every area."""

from __future__ import annotations

import json
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


def has_control_characters(value: str) -> bool:
    return any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co"} for ch in value)


class CleanForm(forms.Form):
    """Rejects control characters in every text field, with a clear message."""

    control_message = _("This field contains characters that are not allowed.")

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str) and has_control_characters(value):
                self.add_error(name, ValidationError(self.control_message, code="control_characters"))
        return data

    def focus_field(self):
        """The first field with an error, for the page to move focus to."""
        for name in self.fields:
            if name in self.errors:
                return self[name]
        return None


class CleanModelForm(forms.ModelForm):
    control_message = CleanForm.control_message

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str) and has_control_characters(value):
                self.add_error(name, ValidationError(self.control_message, code="control_characters"))
        return data


class EmailField(forms.EmailField):
    default_error_messages = {
        "invalid": _("Enter a valid e-mail address, such as name@example.org."),
        "required": _("Enter your e-mail address."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("widget", forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}))
        super().__init__(**kwargs)


class ProofOfWorkMixin:
    """A form that the browser must send with a proof of work (limen.core.pow).

    ``pow_challenge`` is a fresh challenge for the page (includes/proof_of_work.html);
    the solution comes back in the POST field ``altcha`` and is checked, and spent,
    only once the rest of the form is valid, so a typing mistake costs nothing.
    """

    @cached_property
    def pow_challenge(self) -> str:
        from . import pow

        return json.dumps(pow.new_challenge(), separators=(",", ":"))

    def full_clean(self):
        super().full_clean()
        if self.is_bound and not self._errors:
            from . import pow

            try:
                pow.verify(self.data.get(pow.FIELD))
            except pow.ProofOfWorkError as error:
                self.add_error(None, ValidationError(error.message, code=error.code))


class LanguageSelect(forms.Select):
    """A list of languages named in their own language: each option says which (``lang``), so a screen
    reader pronounces "Deutsch" in German on an English page."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option
