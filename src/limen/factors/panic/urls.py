from django.urls import path

from . import views

app_name = "factors_panic"
urlpatterns = [
    path("account/panic/", views.panic, name="panic"),
    path("account/methods/confirm/", views.hold, name="hold"),
    path("account/methods/confirm/<str:token>/", views.release, name="release"),
]
