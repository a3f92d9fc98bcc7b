"""Operators: PANIC for an account (support desk), and the holds that PANIC leaves."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from limen.accounts.admin import UserAdmin

from . import services
from .models import EnrolmentHold


@admin.action(description=_("Remove every verification method of the selected accounts (PANIC)"))
def panic_accounts(modeladmin, request, queryset):
    for user in queryset:
        services.panic(user, request=request, by=request.user)
    modeladmin.message_user(request, ngettext(
        "Every verification method of %d account was removed.",
        "Every verification method of %d accounts was removed.", len(queryset)) % len(queryset), messages.SUCCESS)


UserAdmin.actions = [*UserAdmin.actions, panic_accounts]


@admin.register(EnrolmentHold)
class EnrolmentHoldAdmin(admin.ModelAdmin):
    list_display = ("user", "since", "link_sent", "link_expires", "released")
    search_fields = ("user__email",)
    readonly_fields = ("user", "since", "link_sent", "link_expires", "next_url", "released")
    exclude = ("link_digest",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
