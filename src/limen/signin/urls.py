from django.urls import path

from . import views

app_name = "signin"
urlpatterns = [
    path("login/", views.identify, name="identify"),
    path("login/password/", views.password, name="password"),
    path("login/step-up/", views.step_up, name="step_up"),
    path("logout/", views.signout, name="signout"),
    path("logout/done/", views.signed_out, name="signed_out"),
]
