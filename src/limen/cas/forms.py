"""The operators' form for an application (admin site)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from limen.core.forms import CleanModelForm

from . import registry
from .attributes import ATTRIBUTES
from .models import Service


class ServiceForm(CleanModelForm):
    attributes = forms.MultipleChoiceField(
        label=_("Attributes released"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(name, name) for name in ATTRIBUTES],
        help_text=_("The user identifier is always sent; tick what else the application may see."),
    )

    class Meta:
        model = Service
        fields = ["name", "url_pattern", "attributes", "level", "slo_url", "proxy_callback_pattern", "response_layout",
                  "enabled"]

    def _check(self, name, check, *args, **kwargs):
        try:
            return check(self.cleaned_data.get(name, ""), *args, **kwargs)
        except ValidationError as error:
            raise ValidationError(error.message_dict[kwargs.get("field", name)]) from None

    def clean_url_pattern(self):
        return self._check("url_pattern", registry.check_pattern)

    def clean_proxy_callback_pattern(self):
        value = self.cleaned_data.get("proxy_callback_pattern", "")
        return self._check("proxy_callback_pattern", registry.check_pattern, field="proxy_callback_pattern") \
            if value else ""

    def clean_slo_url(self):
        return self._check("slo_url", registry.check_slo_url)

    def clean_attributes(self):
        return registry.check_attributes(self.cleaned_data.get("attributes") or [])
