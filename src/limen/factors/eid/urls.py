from django.urls import path

from . import views

app_name = "eid"
urlpatterns = [
    path("login/eid/", views.start_signin, name="signin"),
    path("login/eid/with/<slug:slug>/", views.start_signin, name="signin_with"),
    path("login/eid/callback/", views.callback, name="callback"),
    path("login/eid/new/", views.unlinked, name="unlinked"),
    path("login/eid/confirm/<str:token>/", views.confirm_account, name="confirm_account"),
    path("account/eid/", views.manage, name="manage"),
    path("account/eid/link/<slug:slug>/", views.link_start, name="link"),
    path("account/eid/link-this/", views.link_remembered, name="link_remembered"),
    path("account/eid/unlink/<int:pk>/", views.unlink, name="unlink"),
    path("account/eid/merge/", views.merge, name="merge"),
]
