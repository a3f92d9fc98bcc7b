from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

# The order in which the portal shows what Limen sent (EU Login's names).
SHOWN_FIRST = ["uid", "email", "firstName", "lastName", "domain", "locale", "authenticationLevel", "strengths",
               "assuranceLevel", "loginDate", "sso", "isFromNewLogin", "ticketType"]


def limen_url(request):
    return {"limen_url": settings.LIMEN_URL}


def home(request):
    return render(request, "europass/home.html")


@login_required
def profile(request):
    received = request.session.get("attributes") or {}
    names = [n for n in SHOWN_FIRST if n in received] + sorted(n for n in received if n not in SHOWN_FIRST)
    rows = [(name, received[name] if isinstance(received[name], list) else [received[name]]) for name in names]
    return render(request, "europass/profile.html", {"rows": rows, "first_name": received.get("firstName", "")})
