"""Operators register applications here, and see logout requests that could not be delivered."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from limen.core import clock
from limen.notify.models import Status

from . import registry
from .forms import ServiceForm
from .models import LogoutRequest, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    form = ServiceForm
    list_display = ("name", "url_pattern", "level", "response_layout", "enabled", "created")
    list_filter = ("enabled", "level", "response_layout")
    search_fields = ("name", "url_pattern")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        registry.saved(obj, created=not change, operator=request.user, request=request)

    def delete_model(self, request, obj):
        registry.remove(obj.name, operator=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for service in queryset:
            registry.remove(service.name, operator=request.user, request=request)


@admin.register(LogoutRequest)
class LogoutRequestAdmin(admin.ModelAdmin):
    list_display = ("created", "service_name", "url", "status", "attempts", "next_attempt", "last_error")
    list_filter = ("status",)
    search_fields = ("service_name", "url")
    readonly_fields = [f.name for f in LogoutRequest._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Retry the selected logout requests now"))
    def retry_now(self, request, queryset):
        count = queryset.exclude(status=Status.SENT).update(status=Status.PENDING, next_attempt=clock.now())
        self.message_user(request, ngettext("%d logout request will be retried.",
                                            "%d logout requests will be retried.", count) % count,
                          messages.SUCCESS)
