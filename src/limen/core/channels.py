"""Back-channel endpoints skip the browser middleware.

Applications' servers call some endpoints directly: CAS ticket validation, the OpenID Connect token,
introspection, revocation and userinfo endpoints, the key set and the discovery document. Those
requests carry no browser session, no CSRF cookie and no language preference of a person, yet the
session, locale, CSRF, authentication, idle-session and messages middleware used to run for them too
(about an eighth of a CAS validation's time).

``@backchannel`` marks such a view. ``BrowserMiddleware`` sits in ``MIDDLEWARE`` where the browser
middleware used to be and runs ``settings.BROWSER_MIDDLEWARE`` (in that order, hooks included) for
every request except those whose path is routed to a marked view; everything else in ``MIDDLEWARE``
(security headers, the error mapping, request ids, metrics) runs for every request alike. A marked
view must not use ``request.session`` or ``request.user``; it is answered in ``LANGUAGE_CODE``.

Which paths are back-channel is read once from the URLconf: marked views on plain routes (``path()``
without converters, under plain prefixes). A marked view anywhere else simply keeps the full stack.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.module_loading import import_string

MARK = "limen_backchannel"


def _mark(view):
    setattr(view, MARK, True)
    return view


def backchannel(view):
    """Mark a view (function, or class-based view class) as called by servers, never by browsers."""
    if isinstance(view, type):
        setattr(view, MARK, True)
        return method_decorator(_mark, name="dispatch")(view)
    return _mark(view)


def _route(pattern) -> str | None:
    """The literal text of a plain route, or None (regular expressions, converters)."""
    if isinstance(pattern, RoutePattern) and not pattern.converters:
        return str(pattern._route)
    return None


def backchannel_paths(patterns=None, prefix: str = "/") -> set[str]:
    """Every path routed to a marked view, e.g. {"/cas/p3/serviceValidate", "/oidc/token"}."""
    found: set[str] = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = _route(entry.pattern)
        if route is None:
            continue
        if isinstance(entry, URLResolver):
            found |= backchannel_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern) and getattr(entry.callback, MARK, False):
            found.add(prefix + route)
    return found


class BrowserMiddleware:
    """Runs ``settings.BROWSER_MIDDLEWARE`` except for back-channel requests (see the module)."""

    sync_capable, async_capable = True, False

    def __init__(self, get_response):
        self.get_response = get_response
        self.view_hooks, self.template_hooks, self.exception_hooks = [], [], []
        handler = get_response
        for path in reversed(settings.BROWSER_MIDDLEWARE):
            try:
                instance = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            # The same hooks, in the same order, as Django's handler would have collected them.
            if hasattr(instance, "process_view"):
                self.view_hooks.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self.template_hooks.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self.exception_hooks.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self.browser = handler
        self._paths: tuple[str, frozenset[str]] | None = None

    def is_backchannel(self, request) -> bool:
        if getattr(request, "urlconf", None) is not None:
            return False
        if self._paths is None or self._paths[0] != settings.ROOT_URLCONF:
            self._paths = (settings.ROOT_URLCONF, frozenset(backchannel_paths()))
        return request.path_info in self._paths[1]

    def __call__(self, request):
        if self.is_backchannel(request):
            request.backchannel = True
            translation.activate(settings.LANGUAGE_CODE)  # nothing a browser prefers, nothing left over
            return self.get_response(request)
        request.backchannel = False
        return self.browser(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(request, "backchannel", False):
            return None
        for hook in self.view_hooks:
            response = hook(request, view_func, view_args, view_kwargs)
            if response is not None:
                return response
        return None

    def process_template_response(self, request, response):
        if not getattr(request, "backchannel", False):
            for hook in self.template_hooks:
                response = hook(request, response)
        return response

    def process_exception(self, request, exception):
        if getattr(request, "backchannel", False):
            return None
        for hook in self.exception_hooks:
            response = hook(request, exception)
            if response is not None:
                return response
        return None


# Django's admin and security checks look for these in MIDDLEWARE; here they are in
# BROWSER_MIDDLEWARE (settings.py silences admin.E408-E410 and security.W003), so this checks that.
REQUIRED = ("django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware")


def check_browser_middleware(app_configs=None, **kwargs) -> list:
    from django.core import checks

    browser = list(getattr(settings, "BROWSER_MIDDLEWARE", []))
    if "limen.core.channels.BrowserMiddleware" not in settings.MIDDLEWARE:
        browser = list(settings.MIDDLEWARE)  # the ordinary layout: Django's own checks apply
    missing = [path for path in REQUIRED if path not in browser]
    errors = [checks.Error(f"{path} must be in BROWSER_MIDDLEWARE (or MIDDLEWARE).", id="limen.E001")
              for path in missing]
    if not missing and browser.index(REQUIRED[0]) > browser.index(REQUIRED[2]):
        errors.append(checks.Error("SessionMiddleware must come before AuthenticationMiddleware.",
                                   id="limen.E002"))
    return errors
