"""Operators' view of security keys: find them, and remove one that is lost (the owner is e-mailed)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import WebAuthnCredential


@admin.register(WebAuthnCredential)
class WebAuthnCredentialAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "kind", "authenticator", "discoverable", "created", "last_used", "clone_suspected")
    list_filter = ("kind", "discoverable")
    search_fields = ("user__email", "name", "aaguid")
    readonly_fields = [f.name for f in WebAuthnCredential._meta.fields]
    exclude = ("public_key",)
    actions = ["remove_credentials"]

    @admin.display(description=_("model"))
    def authenticator(self, obj):
        return obj.model_name or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # through the action below, which audits and tells the owner

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.user.has_perm("factors_webauthn.delete_webauthncredential"):
            return actions
        return {}

    @admin.action(description=_("Remove the selected security keys (the owners are e-mailed)"))
    def remove_credentials(self, request, queryset):
        for credential in queryset.select_related("user"):
            services.remove(credential.user, credential.pk, request=request)
        self.message_user(request, ngettext("%d removed.", "%d removed.", len(queryset)) % len(queryset),
                          messages.SUCCESS)
