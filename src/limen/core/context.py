from django.conf import settings


def _contact_url(contact: str) -> str:
    return contact if not contact or contact.startswith("https://") else f"mailto:{contact}"


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "interface_languages": settings.LANGUAGES,
        "dev_outbox": settings.DEV_OUTBOX,
        "privacy_contact": settings.PRIVACY_CONTACT,
        "privacy_contact_url": _contact_url(settings.PRIVACY_CONTACT),
        "verify_hours": max(settings.VERIFY_EMAIL_TTL // 3600, 1),
    }
