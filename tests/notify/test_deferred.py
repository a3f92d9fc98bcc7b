"""Jobs left for after the response (limen.notify.deferred, limen.core.after_response)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.signals import request_finished
from django.http import HttpResponse

from limen.core import after_response, clock
from limen.notify import deferred
from limen.notify.models import DeferredJob
from limen.notify.outbox import MAX_ATTEMPTS

pytestmark = pytest.mark.django_db

done: list[dict] = []


@deferred.handler("test.record")
def _record(**params):
    done.append(params)


@deferred.handler("test.fail")
def _fail(**params):
    DeferredJob.objects.create(kind="side effect", created=clock.now(), next_attempt=clock.now())
    raise RuntimeError("mail server on fire")


@pytest.fixture(autouse=True)
def _empty():
    done.clear()


def test_outside_a_request_a_job_runs_at_once():
    deferred.defer("test.record", email="a@example.org")
    assert done == [{"email": "a@example.org"}]
    assert not DeferredJob.objects.exists()


@pytest.mark.django_db(transaction=True)  # request_finished closes old connections, as after a real request
def test_inside_a_request_it_waits_for_the_response_to_be_finished():
    seen_before_response = []

    def view(request):
        deferred.defer("test.record", n=1)
        seen_before_response.append(list(done))
        return HttpResponse("answer")

    response = after_response.AfterResponseMiddleware(view)(object())
    assert response.content == b"answer"
    assert seen_before_response == [[]] and done == []
    assert DeferredJob.objects.count() == 1  # stored before the answer: nothing is lost if the process dies
    request_finished.send(sender=None)  # what the WSGI server's close() of the response sends
    assert done == [{"n": 1}]
    assert not DeferredJob.objects.exists()


def test_unknown_kinds_are_refused_when_deferred():
    with pytest.raises(LookupError):
        deferred.defer("test.nobody-handles-this")


def test_a_failed_job_leaves_nothing_half_done_and_is_retried_later():
    job = deferred.defer("test.fail", x=1)
    job.refresh_from_db()
    assert job.attempts == 1 and "mail server on fire" in job.last_error
    assert job.next_attempt > clock.now()
    assert DeferredJob.objects.filter(kind="side effect").count() == 0  # rolled back with the attempt
    assert deferred.run_due() == 0  # not due yet
    clock.advance(minutes=5)
    deferred.run_due()
    job.refresh_from_db()
    assert job.attempts == 2


def test_a_job_is_given_up_after_the_last_attempt(caplog):
    job = deferred.defer("test.fail")
    DeferredJob.objects.filter(pk=job.pk).update(attempts=MAX_ATTEMPTS - 1, next_attempt=clock.now())
    deferred.run_due()
    assert not DeferredJob.objects.filter(pk=job.pk).exists()
    assert "given up" in caplog.text


def test_two_runners_cannot_both_take_the_same_attempt():
    job = DeferredJob.objects.create(kind="test.record", params={"n": 2}, created=clock.now(),
                                     next_attempt=clock.now())
    read_by_one, read_by_other = DeferredJob.objects.get(pk=job.pk), DeferredJob.objects.get(pk=job.pk)
    assert deferred.claim(read_by_one) is True
    assert deferred.claim(read_by_other) is False
    assert DeferredJob.objects.get(pk=job.pk).next_attempt > clock.now()


def test_a_runner_that_reads_the_job_after_another_claimed_it_does_not_run_it_again():
    """The run after the response claims the job; the outbox worker, which had found it due a moment
    before, reads it again and must not take a second attempt while the first one runs (a registration
    ran twice: the second run sent a new link, which made the first one's link used)."""
    done.clear()
    job = DeferredJob.objects.create(kind="test.record", params={"n": 3}, created=clock.now(),
                                     next_attempt=clock.now())
    assert deferred.claim(DeferredJob.objects.get(pk=job.pk)) is True  # the first runner, still working
    assert deferred.run(job.pk) is False  # the second reads attempts=1 and tries the next attempt
    assert done == [] and DeferredJob.objects.get(pk=job.pk).attempts == 1
