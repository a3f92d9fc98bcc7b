from django.urls import path
from django_cas_ng import views as cas_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("accounts/login/", cas_views.LoginView.as_view(), name="cas_ng_login"),
    path("accounts/logout/", cas_views.LogoutView.as_view(), name="cas_ng_logout"),
    # Limen posts single-logout requests here (registered as the service's single-logout URL).
    path("accounts/callback/", cas_views.CallbackView.as_view(), name="cas_ng_proxy_callback"),
]
