from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("time", "event_label", "event", "email", "ip", "user_agent")
    list_filter = ("event",)
    search_fields = ("email", "ip", "=user__id")
    date_hierarchy = "time"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    @admin.display(description=_("what happened"))
    def event_label(self, obj):
        return obj.get_event_display()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
