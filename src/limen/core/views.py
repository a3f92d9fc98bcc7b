from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static


def home(request):
    if request.user.is_authenticated:
        return redirect("accounts:my_account")
    return redirect("signin:identify")


def favicon(request):
    """Browsers and feed readers ask for /favicon.ico whatever the page links to: the site's icon."""
    return HttpResponsePermanentRedirect(static("limen/icon.svg"))


def csrf_failure(request, reason=""):
    return render(request, "core/csrf_failure.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "core/404.html", status=404)


def server_error(request):
    return render(request, "core/500.html", status=500)


def bad_request(request, exception=None):
    return render(request, "core/400.html", status=400)
