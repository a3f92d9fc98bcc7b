"""Operators' view of accounts: find, unlock, disable, enable."""

from django.conf import settings
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock
from limen.signin import sessions
from limen.signin.services import unlock

from .models import User

admin.site.site_header = format_lazy(_("{site}: operators"), site=settings.SITE_NAME)
admin.site.site_title = admin.site.site_header
admin.site.index_title = _("Administration")


def _staff_login(request, extra_context=None):
    """The admin signs in through Limen's own sign-in, with its lockout and limits."""
    if request.user.is_authenticated:
        # Signed in but not an operator: say so (redirecting would loop).
        return render(request, "core/operators_only.html", status=403)
    next_url = request.GET.get("next", reverse("admin:index"))
    return redirect(reverse("signin:identify") + "?" + urlencode({"next": next_url}))


admin.site.login = _staff_login


class LockedFilter(admin.SimpleListFilter):
    title = _("locked")
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", _("Locked now"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(locked_until__gt=clock.now())
        return queryset


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "first_name", "last_name", "email_verified", "is_active", "locked_until", "date_joined")
    list_filter = ("is_active", "email_verified", "is_staff", LockedFilter)
    search_fields = ("email", "first_name", "last_name", "=uid")
    ordering = ("-date_joined",)
    readonly_fields = ("uid", "date_joined", "last_login", "password_changed", "failed_signins", "locked_until",
                       "email_verified")
    fieldsets = (
        (None, {"fields": ("uid", "email", "first_name", "last_name", "email_language", "interface_language")}),
        (_("State"), {"fields": ("is_active", "email_verified", "locked_until", "failed_signins",
                                  "date_joined", "last_login", "password_changed")}),
        (_("Operator rights"), {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    actions = ["unlock_accounts", "disable_accounts", "enable_accounts"]

    def has_add_permission(self, request):
        return False  # people register themselves; operators use `limen createsuperuser`

    @admin.action(description=_("Unlock the selected accounts"))
    def unlock_accounts(self, request, queryset):
        for user in queryset:
            unlock(user, by=request.user, request=request)
        self.message_user(request, ngettext("%d account unlocked.", "%d accounts unlocked.", len(queryset))
                          % len(queryset), messages.SUCCESS)

    @admin.action(description=_("Disable the selected accounts (they can no longer sign in)"))
    def disable_accounts(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=True).exclude(pk=request.user.pk):
            User.objects.filter(pk=user.pk).update(is_active=False)
            sessions.end_all(user)
            record(Event.DISABLED, user=user, request=request, operator=request.user.email)
            count += 1
        self.message_user(request, ngettext("%d account disabled.", "%d accounts disabled.", count) % count,
                          messages.SUCCESS)

    @admin.action(description=_("Enable the selected accounts"))
    def enable_accounts(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=False):
            User.objects.filter(pk=user.pk).update(is_active=True)
            record(Event.ENABLED, user=user, request=request, operator=request.user.email)
            count += 1
        self.message_user(request, ngettext("%d account enabled.", "%d accounts enabled.", count) % count,
                          messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        if change and "is_active" in form.changed_data:
            record(Event.ENABLED if obj.is_active else Event.DISABLED, user=obj, request=request,
                   operator=request.user.email)
            if not obj.is_active:
                sessions.end_all(obj)
        super().save_model(request, obj, form, change)
