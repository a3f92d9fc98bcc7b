from django.urls import path

from . import views

app_name = "oidc"
urlpatterns = [
    path("authorize", views.AuthorizeView.as_view(), name="authorize"),
    path("authorize/confirm", views.confirm_authorization, name="authorize_confirm"),
    path("token", views.token, name="token"),
    path("userinfo", views.UserInfoView.as_view(), name="userinfo"),
    path("jwks", views.jwks, name="jwks"),
    path("revoke", views.RevokeTokenView.as_view(), name="revoke"),
    path("introspect", views.introspect, name="introspect"),
    path("logout", views.end_session, name="logout"),
    path("logout/confirm", views.confirm_end_session, name="logout_confirm"),
]

