from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/sent/", views.registered, name="registered"),
    path("privacy/", views.privacy, name="privacy"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("verify-again/", views.resend_verification, name="resend_verification"),
    path("password/lost/", views.lost_password, name="lost_password"),
    path("password/reset/<str:token>/", views.reset_password, name="reset_password"),
    path("account/", views.my_account, name="my_account"),
    path("account/details/", views.edit_details, name="edit_details"),
    path("account/password/", views.change_password, name="change_password"),
    path("account/email/", views.change_email, name="change_email"),
    path("account/email/confirm/<str:token>/", views.confirm_email, name="confirm_email"),
    path("account/activity/", views.activity, name="activity"),
    path("account/activity/sign-out-others/", views.sign_out_others, name="sign_out_others"),
    path("account/activity/sessions/<int:session_id>/sign-out/", views.sign_out_session, name="sign_out_session"),
    path("account/preferences/", views.signin_preferences, name="signin_preferences"),
    path("account/delete/", views.delete_account, name="delete_account"),
    path("account/deleted/", views.account_deleted, name="deleted"),
]
