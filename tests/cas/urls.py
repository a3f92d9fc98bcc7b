"""Limen's URLs plus a stand-in second factor's page, to drive step-up end to end."""

from django.urls import path

from limen.signin import challenge
from limen.urls import urlpatterns as limen_urlpatterns

urlpatterns = [path("test/factor/", challenge.challenge, {"method_key": "stand_in"}), *limen_urlpatterns]
