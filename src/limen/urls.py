import importlib.util

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from limen.accounts.views import set_language
from limen.core import views as core_views

urlpatterns = [
    # The protocols first: the busiest paths (ticket validation, token requests) are resolved without
    # trying every page of the site before them. No other pattern starts with these prefixes.
    path("cas/", include("limen.cas.urls")),
    path("oidc/", include("limen.oidc.urls")),
    path("", include("limen.oidc.well_known")),
    path("", core_views.home, name="home"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("", include("limen.signin.urls")),
    path("", include("limen.accounts.urls")),
    # Each sign-in method's own pages (enrolment, management, what its challenge needs besides).
    *[path("", include(f"{app}.urls")) for app in settings.SIGNIN_METHODS
      if importlib.util.find_spec(f"{app}.urls") is not None],
    path("", include("limen.factors.panic.urls")),
    path("", include("limen.access.urls")),
    path("", include("limen.webapp.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]
if settings.DEV_OUTBOX:
    urlpatterns.append(path("dev/outbox/", include("limen.notify.urls")))

handler400 = "limen.core.views.bad_request"
handler404 = "limen.core.views.page_not_found"
handler500 = "limen.core.views.server_error"
