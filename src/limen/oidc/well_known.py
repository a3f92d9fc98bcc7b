"""Discovery documents, served at the site root: the issuer is LIMEN_BASE_URL."""

from django.urls import path

from . import views

urlpatterns = [
    path(".well-known/openid-configuration", views.discovery, name="oidc_discovery"),
    path(".well-known/oauth-authorization-server", views.discovery, name="oauth_metadata"),
]
