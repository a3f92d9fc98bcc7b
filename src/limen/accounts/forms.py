"""Forms of the accounts area. Business rules live in services; forms check shape."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from limen.core.forms import CleanForm, EmailField, LanguageSelect, ProofOfWorkMixin
from limen.core.languages import EU_LANGUAGES, INTERFACE_LANGUAGES

NAME_MAX = 100


class NameField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", NAME_MAX)
        super().__init__(**kwargs)


class RegistrationForm(ProofOfWorkMixin, CleanForm):
    first_name = NameField(label=_("First name"), widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
                           error_messages={"required": _("Enter your first name.")})
    last_name = NameField(label=_("Last name"), widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
                          error_messages={"required": _("Enter your last name.")})
    email = EmailField(label=_("E-mail"))
    email_confirm = EmailField(label=_("Confirm e-mail"), error_messages={"required": _("Type your e-mail address again.")})
    email_language = forms.ChoiceField(
        label=_("E-mail language"), choices=EU_LANGUAGES, widget=LanguageSelect, initial="en",
        help_text=_("The language of the e-mails we send you."),
        error_messages={"invalid_choice": _("Choose one of the languages in the list.")},
    )
    privacy = forms.BooleanField(
        label=_("I have read and understood the privacy statement."),
        error_messages={"required": _("Please confirm that you have read the privacy statement.")},
    )

    def clean(self):
        data = super().clean()
        email, confirm = data.get("email"), data.get("email_confirm")
        if email and confirm and email.strip().casefold() != confirm.strip().casefold():
            self.add_error("email_confirm", _("The two e-mail addresses are not the same."))
        return data


class PasswordPairForm(CleanForm):
    """New password twice, checked against the policy for ``user``."""

    new_password = forms.CharField(
        label=_("New password"), strip=False, max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choose a password.")},
    )
    confirm_password = forms.CharField(
        label=_("Confirm new password"), strip=False, max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Type the new password again.")},
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        new, confirm = data.get("new_password"), data.get("confirm_password")
        if new and confirm and new != confirm:
            self.add_error("confirm_password", _("The two passwords are not the same."))
        elif new and "new_password" not in self.errors:
            try:
                password_validation.validate_password(new, self.user)
            except ValidationError as error:
                self.add_error("new_password", error)
        return data


class ChangePasswordForm(PasswordPairForm):
    current_password = forms.CharField(
        label=_("Current password"), strip=False, max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your current password.")},
    )
    field_order = ["current_password", "new_password", "confirm_password"]


class EmailOnlyForm(ProofOfWorkMixin, CleanForm):
    email = EmailField(label=_("E-mail"))


class ProfileForm(CleanForm):
    first_name = NameField(label=_("First name"), error_messages={"required": _("Enter your first name.")},
                           widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = NameField(label=_("Last name"), error_messages={"required": _("Enter your last name.")},
                          widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email_language = forms.ChoiceField(label=_("E-mail language"), choices=EU_LANGUAGES, widget=LanguageSelect,
                                       error_messages={"invalid_choice": _("Choose one of the languages in the list.")})
    interface_language = forms.ChoiceField(
        label=_("Interface language"), choices=[("", _("As my browser asks"))] + list(INTERFACE_LANGUAGES),
        widget=LanguageSelect,
        required=False, error_messages={"invalid_choice": _("Choose one of the languages in the list.")},
    )
    warn_before_sso = forms.BooleanField(
        label=_("Warn me each time an application asks for my identity"), required=False,
        help_text=_("Before you are signed in to an application with the session you already have, "
                    "you are asked to confirm."),
    )


class ChangeEmailForm(CleanForm):
    new_email = EmailField(label=_("New e-mail address"), error_messages={"required": _("Enter the new e-mail address.")})
    new_email_confirm = EmailField(label=_("Confirm new e-mail address"),
                                   error_messages={"required": _("Type the new e-mail address again.")})
    password = forms.CharField(
        label=_("Current password"), strip=False, max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your current password.")},
    )

    def clean(self):
        data = super().clean()
        a, b = data.get("new_email"), data.get("new_email_confirm")
        if a and b and a.strip().casefold() != b.strip().casefold():
            self.add_error("new_email_confirm", _("The two e-mail addresses are not the same."))
        return data


def password_rules() -> list[str]:
    return [str(t) for t in password_validation.password_validators_help_texts() if t]


class SigninPreferencesForm(CleanForm):
    require_second_factor = forms.BooleanField(
        label=_("Always require a second factor when I sign in"), required=False,
        help_text=_("When this is on, signing in with the password only is refused: you also need your mobile "
                    "app, security key or another verification method you have set up."),
    )



class DeleteAccountForm(CleanForm):
    """The confirmation, and the current password (not asked of an eID-only account, which has none)."""

    confirm = forms.BooleanField(
        label=_("I understand that my account and what it holds are deleted for good, and that this cannot be "
                "undone."),
        error_messages={"required": _("Tick the box to confirm that you want to delete your account.")},
    )
    password = forms.CharField(
        label=_("Current password"), strip=False, max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your current password.")},
    )

    def __init__(self, *args, needs_password: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_password:
            del self.fields["password"]
