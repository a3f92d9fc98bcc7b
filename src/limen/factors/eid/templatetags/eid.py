"""{% eid_signin_link next %}: the "Sign in with eID" button of the sign-in page, when a provider is on."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

register = template.Library()


@register.inclusion_tag("eid/signin_button.html")
def eid_signin_link(next_url: str = ""):
    from ..models import UpstreamProvider

    enabled = UpstreamProvider.objects.filter(enabled=True).exists()
    url = reverse("eid:signin") + ("?" + urlencode({"next": next_url}) if next_url else "")
    return {"enabled": enabled, "url": url}
