from django import forms
from django.utils.translation import gettext_lazy as _

from limen.accounts.forms import NameField
from limen.core.forms import CleanForm, EmailField, LanguageSelect
from limen.core.languages import EU_LANGUAGES


class EidAccountForm(CleanForm):
    """An account that signs in with the eID only: name and an e-mail address we confirm."""

    first_name = NameField(label=_("First name"), widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
                           error_messages={"required": _("Enter your first name.")})
    last_name = NameField(label=_("Last name"), widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
                          error_messages={"required": _("Enter your last name.")})
    email = EmailField(label=_("E-mail"), help_text=_("We send a link to this address to confirm it."))
    email_language = forms.ChoiceField(
        label=_("E-mail language"), choices=EU_LANGUAGES, widget=LanguageSelect, initial="en",
        help_text=_("The language of the e-mails we send you."),
        error_messages={"invalid_choice": _("Choose one of the languages in the list.")},
    )
    privacy = forms.BooleanField(
        label=_("I have read and understood the privacy statement."),
        error_messages={"required": _("Please confirm that you have read the privacy statement.")},
    )
