from . import sessions


class SessionIdleMiddleware:
    """Ends an SSO session that has been idle longer than LIMEN_SESSION_IDLE_SECONDS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            sessions.touch(request)
        return self.get_response(request)
