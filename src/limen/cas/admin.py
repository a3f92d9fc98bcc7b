"""Operators register applications here (logout requests waiting or given up are in the delivery queue:
limen.notify.admin)."""

from django.contrib import admin

from . import registry
from .forms import ServiceForm
from .models import Service


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
