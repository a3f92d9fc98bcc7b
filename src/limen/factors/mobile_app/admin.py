"""Operators' view of mobile devices: find, unlock, remove."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import DeviceStatus, MobileDevice
from .services import devices


@admin.register(MobileDevice)
class MobileDeviceAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "status", "created", "last_used", "failed_pins", "locked_at")
    list_filter = ("status", ("locked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "user__email", "=public_id")
    readonly_fields = ("user", "public_id", "status", "algorithm", "public_key", "app_label", "created", "last_used",
                       "failed_pins", "locked_at")
    fields = ("user", "name", "public_id", "status", "algorithm", "public_key", "app_label", "created", "last_used",
              "failed_pins", "locked_at")
    actions = ["unlock_devices", "remove_devices"]

    def has_add_permission(self, request):
        return False  # devices are added by their owners, with the app

    def has_delete_permission(self, request, obj=None):
        return False  # the action below removes with an audit event and an e-mail

    @admin.action(description=_("Unlock the selected devices (wrong PIN codes)"))
    def unlock_devices(self, request, queryset):
        count = 0
        for device in queryset.filter(locked_at__isnull=False):
            devices.unlock(device, operator=request.user, request=request)
            count += 1
        self.message_user(request, ngettext("%d device unlocked.", "%d devices unlocked.", count) % count,
                          messages.SUCCESS)

    @admin.action(description=_("Remove the selected devices"))
    def remove_devices(self, request, queryset):
        count = 0
        for device in queryset.filter(status=DeviceStatus.ACTIVE):
            devices.remove(device, by="operator", request=request, operator=request.user.email)
            count += 1
        self.message_user(request, ngettext("%d device removed.", "%d devices removed.", count) % count,
                          messages.SUCCESS)
