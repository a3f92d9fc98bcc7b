from django import forms
from django.utils.translation import gettext_lazy as _

from limen.core.forms import CleanForm, EmailField


class IdentifyForm(CleanForm):
    # "webauthn" lets the browser offer passkeys in the field's autofill (conditional mediation).
    email = EmailField(label=_("E-mail"), widget=forms.EmailInput(
        attrs={"autocomplete": "username webauthn", "spellcheck": "false"}))


def _method_choices(methods):
    return [(m.key, m.label) for m in methods]


class PasswordForm(CleanForm):
    method = forms.ChoiceField(
        label=_("Verification method"), required=False, widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the verification methods in the list.")},
    )
    password = forms.CharField(
        label=_("Password"), strip=False, max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )

    def __init__(self, *args, methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.methods = list(methods)
        if self.methods:
            self.fields["method"].choices = _method_choices(self.methods) + [("password", _("Password only"))]
            self.fields["method"].initial = self.methods[0].key
        else:
            del self.fields["method"]


class StepUpForm(CleanForm):
    method = forms.ChoiceField(
        label=_("Verification method"), widget=forms.RadioSelect,
        error_messages={"required": _("Choose a verification method."),
                        "invalid_choice": _("Choose one of the verification methods in the list.")},
    )

    def __init__(self, *args, methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = _method_choices(methods)
        if methods:
            self.fields["method"].initial = methods[0].key
