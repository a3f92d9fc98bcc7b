"""One view of the delivery queue for operators: e-mail, SMS, logout requests, whatever waits or failed."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from limen.core import clock

from .models import OutboxMessage, Status


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("created", "channel", "recipient", "subject", "status", "attempts", "next_attempt", "last_error")
    list_filter = ("channel", "status")
    search_fields = ("recipient", "subject")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry the selected messages now"))
    def retry_now(self, request, queryset):
        count = queryset.exclude(status=Status.SENT).update(status=Status.PENDING, next_attempt=clock.now())
        self.message_user(request, ngettext("%d message will be retried.", "%d messages will be retried.",
                                            count) % count, messages.SUCCESS)
