"""Operators' view of registered phone numbers."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import PhoneNumber


@admin.register(PhoneNumber)
class PhoneNumberAdmin(admin.ModelAdmin):
    list_display = ("user", "pretty", "added", "last_used")
    search_fields = ("user__email", "number")
    readonly_fields = ("user", "number", "added", "last_used")
    actions = ["remove_numbers"]

    @admin.display(description=_("Mobile phone number"))
    def pretty(self, obj):
        return obj.pretty

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # through the action below, which audits and tells the owner

    def get_actions(self, request):
        actions = super().get_actions(request)
        return actions if request.user.has_perm("factors_sms.delete_phonenumber") else {}

    @admin.action(description=_("Remove the selected numbers (the owners are e-mailed)"))
    def remove_numbers(self, request, queryset):
        for phone in queryset.select_related("user"):
            services.remove(phone.user, phone.pk, request=request)
        self.message_user(request, ngettext("%d removed.", "%d removed.", len(queryset)) % len(queryset),
                          messages.SUCCESS)
