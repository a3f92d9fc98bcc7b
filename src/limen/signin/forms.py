from django import forms
from django.utils.translation import gettext_lazy as _

from limen.core.forms import CleanForm, EmailField


class IdentifyForm(CleanForm):
    email = EmailField(label=_("E-mail address"))


class PasswordForm(CleanForm):
    password = forms.CharField(
        label=_("Password"), strip=False, max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )
