from django.contrib import admin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("created", "channel", "recipient", "subject", "status", "attempts", "last_error")
    list_filter = ("channel", "status")
    search_fields = ("recipient", "subject")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
