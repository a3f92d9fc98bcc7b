"""Operators' site: OpenID Connect applications, signing keys, back-channel logouts.

ClientAdmin is registered by django-oauth-toolkit (OAUTH2_PROVIDER
APPLICATION_ADMIN_CLASS), next to its token lists.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from limen.audit.events import Event
from limen.audit.service import record

from . import clients
from .models import Client, SigningKey


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = ["name", "client_id", "client_type", "token_endpoint_auth_method", "pkce_required", "redirect_uris",
                  "post_logout_redirect_uris", "backchannel_logout_uri", "jwks", "jwks_uri", "id_token_alg",
                  "active"]
        help_texts = {
            "redirect_uris": _("One address per line (or separated by spaces). Compared exactly."),
            "post_logout_redirect_uris": _("Where RP-initiated logout may send people afterwards. Compared exactly."),
        }
        widgets = {"redirect_uris": forms.Textarea(attrs={"rows": 3}),
                   "post_logout_redirect_uris": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What Limen supports is fixed: the code flow, no consent screen. (The toolkit's own ``algorithm``
        # stays RS256; Limen signs with the client's id_token_alg.)
        self.instance.authorization_grant_type = Client.GRANT_AUTHORIZATION_CODE
        self.instance.algorithm = Client.RS256_ALGORITHM
        self.instance.skip_authorization = True

    def clean_redirect_uris(self):
        return " ".join(self.cleaned_data["redirect_uris"].split())

    def clean_post_logout_redirect_uris(self):
        return " ".join(self.cleaned_data["post_logout_redirect_uris"].split())


class ClientAdmin(admin.ModelAdmin):
    form = ClientForm
    list_display = ("name", "client_id", "client_type", "token_endpoint_auth_method", "pkce_required", "active",
                    "created")
    list_filter = ("client_type", "token_endpoint_auth_method", "pkce_required", "active")
    search_fields = ("name", "client_id", "redirect_uris")
    actions = ["replace_secret"]

    def get_readonly_fields(self, request, obj=None):
        return ("client_id",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        method_changed = change and "token_endpoint_auth_method" in form.changed_data
        secret = None
        if not change or method_changed:
            secret = clients._apply_secret(obj)
        super().save_model(request, obj, form, change)
        if not change:
            record(Event.OIDC_CLIENT_ADDED, user=request.user, request=request, client=obj.client_id,
                   name=obj.name, operator=request.user.email)
        elif "pkce_required" in form.changed_data:
            clients.pkce_changed(obj, operator=request.user.email, user=request.user, request=request)
        if change and "id_token_alg" in form.changed_data:
            clients.id_token_alg_changed(obj, operator=request.user.email, user=request.user, request=request)
        if secret:
            messages.warning(request, _("Client secret of %(name)s (copy it now, it is not shown again): %(secret)s")
                             % {"name": obj.name, "secret": secret})

    def delete_model(self, request, obj):
        clients.remove(obj, operator=request.user.email)

    @admin.action(description=_("Replace the secret of the selected applications"))
    def replace_secret(self, request, queryset):
        for client in queryset:
            secret = clients.reset_secret(client, operator=request.user.email)
            if secret:
                messages.warning(request, _("New client secret of %(name)s (copy it now): %(secret)s")
                                 % {"name": client.name, "secret": secret})


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ("kid", "alg", "state", "created", "activated", "retired")
    list_filter = ("alg", "state")
    fields = ("kid", "alg", "state", "public_jwk", "created", "activated", "retired")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
