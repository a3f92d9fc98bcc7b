"""Development outbox: read what Limen sent, and click its links."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import OutboxMessage


def _require_dev():
    if not settings.DEV_OUTBOX:
        raise Http404()


def outbox(request):
    _require_dev()
    messages = OutboxMessage.objects.all()[:200]
    return render(request, "notify/outbox.html", {"outbox": messages})


def outbox_message(request, pk: int):
    _require_dev()
    message = get_object_or_404(OutboxMessage, pk=pk)
    return render(request, "notify/outbox_message.html", {"message": message})
