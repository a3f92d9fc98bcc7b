from django.http import JsonResponse
from django.shortcuts import render

from .errors import LimenError


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy on every page, the operators' site (/admin/) included: our pages
    load nothing from elsewhere and run no inline script or style. Django's admin keeps working under it:
    its scripts are files, and the data they need is in data- attributes (tests/e2e/test_admin.py)."""

    POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
              "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.path.startswith(("/login", "/account", "/password", "/verify", "/register")):
            response["Cache-Control"] = "no-store"
        return response




class DomainErrorMiddleware:
    """A domain error no view handled (say, the limits store is down: LimitsUnavailable) becomes a page
    with its translated message and its HTTP status, never a bare 500; JSON APIs answer their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, LimenError):
            return None
        if request.path.startswith(("/mobile/api/", "/oidc/", "/cas/")) and "text/html" not in \
                request.headers.get("Accept", ""):
            response = JsonResponse({"error": exception.code, "message": str(exception.message)},
                                    status=exception.status)
        else:
            response = render(request, "core/problem.html", {"error": exception}, status=exception.status)
        if exception.status in (429, 503):
            response["Retry-After"] = str(getattr(exception, "retry_after", 0) or 60)
        response["Cache-Control"] = "no-store"
        return response
