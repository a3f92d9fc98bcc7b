"""Operators configure upstream eID providers here (or with `limen eid_provider`)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import EidLink, UpstreamProvider
from .upstream import redirect_uri


class UpstreamProviderForm(forms.ModelForm):
    client_secret = forms.CharField(
        label=_("client secret"), required=False, strip=True, widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the current secret."))

    class Meta:
        model = UpstreamProvider
        fields = ["name", "slug", "issuer", "client_id", "client_secret", "token_auth_method", "scopes", "enabled"]

    def clean_scopes(self):
        scopes = self.cleaned_data["scopes"].split()
        if "openid" not in scopes:
            raise forms.ValidationError(_("The scopes must include openid."))
        return " ".join(scopes)

    def save(self, commit=True):
        provider = super().save(commit=False)
        if self.cleaned_data.get("client_secret"):
            provider.set_secret(self.cleaned_data["client_secret"])
        if commit:
            provider.save()
        return provider


@admin.register(UpstreamProvider)
class UpstreamProviderAdmin(admin.ModelAdmin):
    form = UpstreamProviderForm
    list_display = ("name", "slug", "issuer", "enabled", "created")
    list_filter = ("enabled",)
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("callback",)

    @admin.display(description=_("redirect URI to register at the provider"))
    def callback(self, obj=None):
        return redirect_uri()


@admin.register(EidLink)
class EidLinkAdmin(admin.ModelAdmin):
    list_display = ("user", "provider", "created", "last_used")
    list_filter = ("provider",)
    search_fields = ("user__email", "subject")
    readonly_fields = ("user", "provider", "issuer", "subject", "created", "last_used")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
