from django.urls import path

from . import api, validator_views, views

app_name = "access"
urlpatterns = [
    # The person: the request page is named after the application (AccessPolicy.slug).
    path("access/<slug:slug>/", views.request_page, name="request"),
    path("access/<slug:slug>/submitted/", views.submitted, name="submitted"),
    path("access/<slug:slug>/code/", views.code_page, name="code"),
    path("access/<slug:slug>/code/new/", views.resend, name="resend"),
    path("account/access/", views.my_requests, name="mine"),
    path("account/access/<uuid:pk>/withdraw/", views.withdraw, name="withdraw"),
    # Validators.
    path("validators/", validator_views.queue, name="validators"),
    path("validators/<uuid:pk>/", validator_views.review, name="review"),
    path("validators/<uuid:pk>/<slug:action>/", validator_views.decide, name="decide"),
    # The API of back-office systems (openapi.py).
    path("api/access/v1/openapi.json", api.document, name="api_openapi"),
    path("api/access/v1/requests", api.list_requests, name="api_requests"),
    path("api/access/v1/requests/<uuid:pk>", api.get_request, name="api_request"),
    path("api/access/v1/requests/<uuid:pk>/<slug:action>", api.decide, name="api_decide"),
]
