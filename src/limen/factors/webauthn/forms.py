from django import forms
from django.utils.translation import gettext_lazy as _

from limen.core.forms import CleanForm

from .models import Kind

NAME_HELP = _("A name you will recognise in the list, for example “Blue YubiKey” or “Office laptop”.")


class NameField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Name"))
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault("help_text", NAME_HELP)
        kwargs.setdefault("error_messages", {
            "required": _("Give it a name, for example “Blue YubiKey”."),
            "max_length": _("Use at most %(limit_value)d characters."),
        })
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)


class AddForm(CleanForm):
    kind = forms.ChoiceField(
        label=_("What do you want to register?"), choices=Kind.choices, widget=forms.RadioSelect,
        initial=Kind.SECURITY_KEY,
        error_messages={"required": _("Choose a security key or a trusted platform."),
                        "invalid_choice": _("Choose a security key or a trusted platform.")},
    )
    name = NameField()


class RenameForm(CleanForm):
    name = NameField()


class ResponseForm(CleanForm):
    """What the page's script posts: the browser's answer, as JSON."""

    response = forms.CharField(
        required=True, max_length=64 * 1024, widget=forms.HiddenInput,
        error_messages={"required": _("Your browser did not send an answer from a security key. Press the button "
                                      "and follow your browser's instructions.")},
    )
