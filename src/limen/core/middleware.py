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


