"""Work for after the response (limen.core.after_response), as the server sees it between the
application's return and the response's close()."""

from __future__ import annotations

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished
from django.http import HttpResponse
from django.test import RequestFactory

from limen.core import after_response, request_id

pytestmark = pytest.mark.django_db


def _call(path: str):
    """The WSGI application's response, not yet closed (the server writes it first, then closes)."""
    environ = RequestFactory().get(path).environ
    started: list = []
    response = WSGIHandler()(environ, lambda status, headers, exc_info=None: started.append(status))
    assert started and started[0].startswith("200")
    return response


def test_a_request_that_left_no_work_does_not_make_the_server_wait_for_the_write():
    response = _call("/.well-known/openid-configuration")
    # Only the request id's clean-up is left: the thread may close the response at once.
    assert not after_response.pending()
    assert request_id.current() == response["X-Request-ID"]  # still bound for the access line
    response.close()
    assert request_id.current() is None


def test_work_left_by_the_view_still_makes_the_server_write_first():
    ran: list[str | None] = []

    def view(request):
        after_response.call(lambda: ran.append(request_id.current()))
        return HttpResponse("answer")

    response = after_response.AfterResponseMiddleware(request_id.RequestIdMiddleware(view))(RequestFactory().get("/"))
    assert after_response.pending() and ran == []
    request_finished.send(sender=None)  # what the server's close() of the response sends
    # The work ran after the response, with the request's id, which was unbound after it.
    assert ran == [response["X-Request-ID"]] and request_id.current() is None
    assert not after_response.pending()


def test_cleanups_outside_a_request_run_at_once():
    ran = []
    after_response.cleanup(lambda: ran.append(1))
    assert ran == [1]
