from django.urls import path, re_path

from . import api, api_device, views

app_name = "mobile_app"

_ID = r"(?P<{}>[A-Za-z0-9_-]{{1,32}})"

urlpatterns = [
    # My Account → Manage my mobile devices
    path("account/mobile/", views.device_list, name="devices"),
    path("account/mobile/add/", views.add_device, name="add"),
    re_path(r"^account/mobile/add/" + _ID.format("enrolment_id") + r"/$", views.enrol, name="enrol"),
    re_path(r"^account/mobile/add/" + _ID.format("enrolment_id") + r"/status/$", views.enrol_status,
            name="enrol_status"),
    re_path(r"^account/mobile/add/" + _ID.format("enrolment_id") + r"/cancel/$", views.enrol_cancel,
            name="enrol_cancel"),
    re_path(r"^account/mobile/" + _ID.format("device_id") + r"/rename/$", views.rename_device, name="rename"),
    re_path(r"^account/mobile/" + _ID.format("device_id") + r"/remove/$", views.remove_device, name="remove"),
    re_path(r"^account/mobile/" + _ID.format("device_id") + r"/forgot-pin/$", views.forgot_pin, name="forgot_pin"),
    # Sign-in
    path("login/mobile/status/", views.push_status, name="push_status"),
    # Device API
    path("mobile/api/v1/openapi.json", api.openapi, name="api_openapi"),
    path("mobile/api/v1/enrolments", api.enrolments, name="api_enrolments"),
    path("mobile/api/v1/enrolments/confirm", api.enrolment_confirm, name="api_enrolment_confirm"),
    path("mobile/api/v1/device", api.device, name="api_device"),
    path("mobile/api/v1/device/push", api_device.push_subscription, name="api_device_push"),
    path("mobile/api/v1/device/biometric", api_device.biometric_credential, name="api_device_biometric"),
    path("mobile/api/v1/challenges", api.challenge_list, name="api_challenges"),
    path("mobile/api/v1/challenges/wait", api.challenge_wait, name="api_challenge_wait"),
    path("mobile/api/v1/challenges/<str:challenge_id>/answer", api.challenge_answer, name="api_challenge_answer"),
    re_path(r"^mobile/api/(?P<rest>.*)$", api.not_found, name="api_not_found"),
]
