from django import forms
from django.utils.translation import gettext_lazy as _

from limen.core.forms import CleanForm


class AddNumberForm(CleanForm):
    number = forms.CharField(
        label=_("Mobile phone number"), max_length=40,
        help_text=_("In international form: + and the country code, then the number without its first 0. "
                    "For example +46701234567."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel",
                                      "spellcheck": "false"}),
        error_messages={"required": _("Enter your mobile phone number, for example +46701234567.")},
    )


class CodeForm(CleanForm):
    code = forms.CharField(
        label=_("Code from the SMS"), max_length=30,
        help_text=_("Nine letters and digits, for example ABC-DEF-GHJ. Upper or lower case, with or without hyphens."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false",
                                      "autocapitalize": "characters", "class": "code-input"}),
        error_messages={"required": _("Type the code you received by SMS.")},
    )


class ChooseNumberForm(CleanForm):
    phone = forms.TypedChoiceField(
        label=_("Send the code to"), required=False, coerce=int, widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of your numbers in the list.")},
    )
    typed = forms.CharField(
        label=_("Or type the full number"), required=False, max_length=40,
        help_text=_("One of the numbers registered to your account, in international form, e.g. +46701234567."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel",
                                      "spellcheck": "false"}),
    )

    def __init__(self, *args, numbers=(), **kwargs):
        super().__init__(*args, **kwargs)
        numbers = list(numbers)
        self.fields["phone"].choices = [(n.pk, n.masked) for n in numbers]
        if numbers:
            self.fields["phone"].initial = numbers[0].pk

    def clean(self):
        data = super().clean()
        if not data.get("typed") and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Choose one of your numbers, or type it."))
        return data
