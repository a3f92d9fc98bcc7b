"""Limen's URLs plus a stand-in second factor, to drive step-up end to end."""

from django.http import HttpResponse
from django.urls import path

from limen.signin import flow
from limen.urls import urlpatterns as limen_urlpatterns

STRENGTH = "PASSWORD_SOFTWARE_TOKEN"


def stand_in_factor(request):
    if request.method == "POST":
        flow.pending_user(request, "stand_in")
        return flow.second_factor_passed(request, STRENGTH)
    return HttpResponse("prove it")


urlpatterns = [path("test/factor/", stand_in_factor), *limen_urlpatterns]
