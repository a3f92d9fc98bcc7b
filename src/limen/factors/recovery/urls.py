from django.urls import path

from . import views

app_name = "factors_recovery"
urlpatterns = [
    path("account/recovery-codes/", views.manage, name="manage"),
    path("account/recovery-codes/new/", views.generate, name="generate"),
    path("account/recovery-codes/show/", views.show, name="show"),
    path("account/recovery-codes/download/", views.download, name="download"),
]
