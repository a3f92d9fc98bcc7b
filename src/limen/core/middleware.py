class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy: our pages load nothing from elsewhere."""

    POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
              "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", self.POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.path.startswith(("/login", "/account", "/password", "/verify", "/register")):
            response["Cache-Control"] = "no-store"
        return response


