from django.urls import path

from . import views

app_name = "factors_sms"
urlpatterns = [
    path("account/phones/", views.manage, name="manage"),
    path("account/phones/add/", views.add, name="add"),
    path("account/phones/finalise/", views.finalise, name="finalise"),
    path("account/phones/resend/", views.resend_enrolment, name="resend_enrolment"),
    path("account/phones/<int:pk>/remove/", views.remove, name="remove"),
]
