from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<int:pk>/", views.outbox_message, name="outbox_message"),
]
