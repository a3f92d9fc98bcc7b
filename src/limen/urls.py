from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from limen.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("", include("limen.signin.urls")),
    path("", include("limen.accounts.urls")),
    path("", include("limen.factors.mobile_app.urls")),
    path("", include("limen.factors.webauthn.urls")),
    path("", include("limen.factors.sms.urls")),
    path("", include("limen.factors.recovery.urls")),
    path("", include("limen.factors.panic.urls")),
    path("cas/", include("limen.cas.urls")),
    path("oidc/", include("limen.oidc.urls")),
    path("", include("limen.oidc.well_known")),
    path("", include("limen.factors.eid.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]
if settings.DEV_OUTBOX:
    urlpatterns.append(path("dev/outbox/", include("limen.notify.urls")))

handler400 = "limen.core.views.bad_request"
handler404 = "limen.core.views.page_not_found"
handler500 = "limen.core.views.server_error"
