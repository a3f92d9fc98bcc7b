"""The built-in channel wakes waiting requests at once, in this process and from other processes."""

import threading
import time

from django.db import connection

from limen.factors.mobile_app import channel
from limen.factors.mobile_app.models import Wakeup

from .conftest import sign_in


def test_publish_wakes_only_the_right_waiters(db):
    hits = []

    def wait(key):
        hits.append((key, channel.wait_until(lambda: key in woken, [key], 5)))

    woken = set()
    threads = [threading.Thread(target=wait, args=(k,)) for k in ("a", "b")]
    for t in threads:
        t.start()
    time.sleep(0.1)
    woken.add("a")
    start = time.monotonic()
    assert channel.hub.publish(["a"]) == 1
    threads[0].join(2)
    assert time.monotonic() - start < 0.5 and ("a", True) in hits
    woken.add("b")
    channel.hub.publish(["b"])
    threads[1].join(2)
    assert ("b", True) in hits


def test_wait_until_gives_up_after_the_timeout(db):
    start = time.monotonic()
    assert channel.wait_until(lambda: None, ["nobody"], 0.3) is None
    assert 0.25 < time.monotonic() - start < 2


def test_a_wakeup_written_by_another_process_is_picked_up_by_the_poller(live_db, settings):
    settings.PUSH_POLL_MS = 50
    flag = []

    def waiter():
        flag.append(channel.wait_until(lambda: bool(flag), ["device:42"], 5))
        connection.close()

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.2)
    # What another process does: a row, no in-process publish.
    flag.append("set")
    Wakeup.objects.create(key="device:42")
    start = time.monotonic()
    thread.join(3)
    assert not thread.is_alive()
    assert time.monotonic() - start < 1.0


def test_approval_wakes_the_waiting_browser_within_a_second(live_db, client, make_user, make_phone, settings):
    settings.PUSH_POLL_MS = 50
    user = make_user()
    phone = make_phone(user)
    sign_in(client, user, "mobile_app_pin")
    client.get("/login/mobile/")
    challenge = phone.pending()[0]
    result = {}

    def browser():
        start = time.monotonic()
        result["state"] = client.get("/login/mobile/status/?known=pending&wait=10").json()["state"]
        result["returned"] = time.monotonic()
        result["waited"] = result["returned"] - start
        connection.close()

    thread = threading.Thread(target=browser)
    thread.start()
    time.sleep(0.5)
    approved_at = time.monotonic()
    assert phone.answer(challenge).status_code == 200
    thread.join(5)
    assert result["state"] == "approved"
    assert result["waited"] >= 0.4  # it really waited
    assert result["returned"] - approved_at < 1.0


def test_a_new_request_wakes_the_listening_app(live_db, client, make_user, make_phone, settings):
    settings.PUSH_POLL_MS = 50
    user = make_user()
    phone = make_phone(user)
    result = {}

    def app():
        start = time.monotonic()
        result["challenges"] = phone.call("GET", "challenges/wait?timeout=10").json()["challenges"]
        result["waited"] = time.monotonic() - start
        connection.close()

    thread = threading.Thread(target=app)
    thread.start()
    time.sleep(0.5)
    sign_in(client, user, "mobile_app_pin")
    sent_at = time.monotonic()
    client.get("/login/mobile/")
    thread.join(5)
    assert len(result["challenges"]) == 1 and result["waited"] >= 0.4
    assert time.monotonic() - sent_at < 1.5


def test_the_reader_finds_a_wakeup_that_commits_after_a_higher_one(db):
    """Ids, not clocks: an id skipped over (its transaction still open) is looked for again."""
    from limen.factors.mobile_app.wakeups import WakeupReader

    reader = WakeupReader()
    reader.start()
    first = Wakeup.objects.create(key="a")
    late = Wakeup.objects.create(key="b")
    third = Wakeup.objects.create(key="c")
    late_id = late.pk
    late.delete()  # as if its transaction had not committed yet
    assert reader.read() == {"a", "c"}
    assert late_id in reader.gaps and reader.cursor == third.pk
    Wakeup.objects.create(id=late_id, key="late")  # it commits now
    assert reader.read() == {"late"}
    assert reader.gaps == {} and first.pk < late_id
    assert reader.read() == set()
