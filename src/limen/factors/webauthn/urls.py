from django.urls import path

from . import views

app_name = "factors_webauthn"
urlpatterns = [
    path("account/security-keys/", views.manage, name="manage"),
    path("account/security-keys/add/", views.add, name="add"),
    path("account/security-keys/add/register/", views.register, name="register"),
    path("account/security-keys/<int:pk>/rename/", views.rename, name="rename"),
    path("account/security-keys/<int:pk>/remove/", views.remove, name="remove"),
    path("login/passkey/options/", views.passkey_options, name="passkey_options"),
    path("login/passkey/", views.passkey_signin, name="passkey_signin"),
]
