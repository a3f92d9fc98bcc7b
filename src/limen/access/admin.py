"""Operators' site: access policies (with their fields and validators), API tokens, and the requests."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import applications, decisions, policies, tokens
from .errors import AccessError
from .fields import parse_spec
from .models import AccessPolicy, AccessRequest, ApiToken, RequestField, ValidatorRole


def _text_or_languages(value: str):
    value = (value or "").strip()
    if value.startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            raise ValidationError(_('Write a text, or one text per language as JSON: {"en": "…", "fr": "…"}.')) \
                from None
    return value


def _shown(value) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else (value or "")


class RequestFieldForm(forms.ModelForm):
    label = forms.CharField(label=_("label"), max_length=2000,
                            help_text=_('A text, or one per language: {"en": "…", "fr": "…"}.'))
    help = forms.CharField(label=_("help text"), max_length=2000, required=False)
    choices = forms.CharField(label=_("choices"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("For a choice field: one choice per line."))

    class Meta:
        model = RequestField
        fields = ["order", "name", "label", "kind", "required", "help", "pattern", "choices", "max_length",
                  "prefill", "released"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["label"] = _shown(self.instance.label)
            self.initial["help"] = _shown(self.instance.help)
            self.initial["choices"] = "\n".join(self.instance.choices or [])

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            spec = parse_spec({
                "name": data.get("name"), "label": _text_or_languages(data.get("label")),
                "help": _text_or_languages(data.get("help")), "type": data.get("kind"),
                "required": data.get("required", False), "pattern": data.get("pattern", ""),
                "choices": [c.strip() for c in (data.get("choices") or "").splitlines() if c.strip()],
                "max_length": data.get("max_length"), "prefill": data.get("prefill", ""),
                "released": data.get("released", False)})
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        data.update(label=spec.label, help=spec.help, choices=list(spec.choices))
        return data


class RequestFieldInline(admin.TabularInline):
    model = RequestField
    form = RequestFieldForm
    extra = 0


class ValidatorForm(forms.ModelForm):
    class Meta:
        model = ValidatorRole
        fields = ["user"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not user.is_staff:
            raise ValidationError(_("Only operators can validate requests. Make this account an operator first."))
        return user


class ValidatorInline(admin.TabularInline):
    model = ValidatorRole
    form = ValidatorForm
    extra = 0
    raw_id_fields = ("user",)


class PolicyForm(forms.ModelForm):
    application = forms.ChoiceField(label=_("application"), required=False,
                                    help_text=_("The CAS application or OpenID Connect client that requires "
                                                "validation."))

    class Meta:
        model = AccessPolicy
        fields = ["application", "slug", "level", "intro", "acknowledgement", "enabled"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [("", "—")] + [
            (ref.id, applications.label_of(ref)) for ref in applications.all_applications()]
        self.fields["slug"].required = False
        if self.instance.pk:
            self.fields["application"].disabled = True
            self.initial["application"] = f"{self.instance.protocol}:{self.instance.app_key}"

    def clean(self):
        data = super().clean()
        if not self.instance.pk:
            protocol, _sep, key = (data.get("application") or "").partition(":")
            ref = applications.get(protocol, key)
            if ref is None:
                self.add_error("application", _("Choose an application."))
                return data
            if policies.policy_of(ref, enabled_only=False) is not None:
                self.add_error("application", _("This application already has an access policy."))
                return data
            self.instance.protocol, self.instance.app_key, self.instance.app_name = ref.protocol, ref.key, ref.name
            if not data.get("slug"):
                data["slug"] = policies.free_slug(ref.name)
        try:
            policies.check_level(data.get("level"))
        except ValidationError as error:
            self.add_error("level", error.message_dict["level"])
        return data


@admin.register(AccessPolicy)
class AccessPolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    inlines = [RequestFieldInline, ValidatorInline]
    list_display = ("app_name", "protocol", "slug", "level", "enabled", "updated")
    list_filter = ("protocol", "level", "enabled")
    search_fields = ("app_name", "slug")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        policies.saved(form.instance, created=not change, operator=request.user, request=request)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "policy", "public_id", "created", "last_used", "revoked")
    list_filter = ("policy",)
    fields = ("policy", "name")
    actions = ["revoke_tokens"]

    def get_readonly_fields(self, request, obj=None):
        return ("policy", "name") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:
            return
        obj.name = tokens.check_name(obj.name)
        value = tokens.prepare(obj)
        super().save_model(request, obj, form, change)
        tokens.created(obj, operator=request.user, request=request)
        messages.warning(request, _("API token for %(application)s (copy it now, it is not shown again): %(token)s")
                         % {"application": obj.policy.app_name, "token": value})

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke_tokens(self, request, queryset):
        done = sum(tokens.revoke(token, operator=request.user, request=request) for token in queryset)
        messages.success(request, _("%(count)d tokens revoked.") % {"count": done})


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ("user", "policy", "status", "submitted", "decided", "activated", "ended")
    list_filter = ("status", "policy")
    search_fields = ("user__email", "user__last_name", "=public_id")
    readonly_fields = ("public_id", "policy", "user", "status", "values", "delivery", "number", "submitted",
                       "decided", "decided_by", "reason", "activated", "ended", "code_sent", "code_expires",
                       "code_attempts")
    actions = ["resend_codes", "revoke_access"]

    def has_add_permission(self, request):
        return False

    def _decider(self, request):
        return decisions.Decider(label=f"operator {request.user.email}", via="admin", user=request.user)

    def _each(self, request, queryset, act, done_message):
        done = 0
        for found in queryset:
            try:
                act(found)
                done += 1
            except AccessError as error:
                messages.error(request, f"{found.user}: {error.message}")
        if done:
            messages.success(request, done_message % {"count": done})

    @admin.action(description=_("Send a new validation code (unlocks a locked code)"))
    def resend_codes(self, request, queryset):
        self._each(request, queryset, lambda r: decisions.resend_code(r, self._decider(request), request=request),
                   _("%(count)d new codes sent."))

    @admin.action(description=_("Revoke the access of the selected people"))
    def revoke_access(self, request, queryset):
        reason = str(_("An operator of the service ended it."))
        self._each(request, queryset, lambda r: decisions.revoke(r, self._decider(request), reason, request=request),
                   _("%(count)d accesses revoked; each person is told by e-mail."))
