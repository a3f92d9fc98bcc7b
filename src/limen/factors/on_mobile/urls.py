"""Its pages besides the challenge page, and its calls of the device API. Listed before
``limen.factors.mobile_app`` in SIGNIN_METHODS, whose device API ends with a catch-all."""

from django.urls import path

from . import api, views

app_name = "on_mobile"

urlpatterns = [
    path("login/on-mobile/start/", views.start, name="start"),
    path("login/on-mobile/status/", views.status, name="status"),
    path("mobile/api/v1/on-mobile/<str:request_id>", api.details, name="api_details"),
    path("mobile/api/v1/on-mobile/<str:request_id>/answer", api.answer, name="api_answer"),
]
