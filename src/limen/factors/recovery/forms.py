from django import forms
from django.utils.translation import gettext_lazy as _

from limen.core.forms import CleanForm


class RecoveryCodeForm(CleanForm):
    code = forms.CharField(
        label=_("Recovery code"), max_length=40, strip=True,
        help_text=_("One of the codes you saved, for example abcd-efgh-jk. Each code works once."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false",
                                      "autocapitalize": "none", "class": "code-input"}),
        error_messages={"required": _("Type one of your recovery codes.")},
    )
