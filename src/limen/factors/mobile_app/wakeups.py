"""Reading the Wakeup rows that channel.signal() writes: which keys changed, in any process or instance.

Each process that has waiting requests reads the rows it has not seen, by id. An id can become
visible after a higher one (two transactions that commit in the other order); so an id skipped
over is remembered as a gap and looked for again for GAP_SECONDS. Ids, unlike timestamps, do not
depend on the clocks of the instances agreeing.

The reader starts a little in the past (rows of the last START_LOOKBACK): a request that checked
its condition just before the reader started still gets the wake-ups written meanwhile. A missed
wake-up would cost latency, not correctness: waiters re-check their condition on a slow timer.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db.models import Max, Q

from limen.core import clock

START_LOOKBACK = dt.timedelta(seconds=2)
GAP_SECONDS = 30.0
MAX_GAPS = 2000
BATCH = 5000
KEEP = dt.timedelta(minutes=10)
CLEANUP_SECONDS = 60.0


class WakeupReader:
    def __init__(self):
        self.cursor: int | None = None
        self.gaps: dict[int, float] = {}
        self._last_cleanup = time.monotonic()

    def start(self) -> None:
        from .models import Wakeup

        older = Wakeup.objects.filter(created__lt=clock.now() - START_LOOKBACK).aggregate(top=Max("id"))["top"]
        self.cursor = older or 0  # 0: no older row, so nothing below the first row read can be a gap
        self.gaps.clear()

    def read(self) -> set[str]:
        """Keys of the rows that appeared since the last read (starting the reader if needed)."""
        from .models import Wakeup

        if self.cursor is None:
            self.start()
        where = Q(id__gt=self.cursor)
        if self.gaps:
            where |= Q(id__in=list(self.gaps))
        rows = list(Wakeup.objects.filter(where).order_by("id").values_list("id", "key")[:BATCH])
        now = time.monotonic()
        keys = set()
        highest = self.cursor
        if highest == 0 and rows:
            highest = rows[0][0] - 1
        for pk, key in rows:
            keys.add(key)
            self.gaps.pop(pk, None)
            if pk > highest:
                if len(self.gaps) < MAX_GAPS:
                    for missing in range(highest + 1, min(pk, highest + 1 + MAX_GAPS - len(self.gaps))):
                        self.gaps[missing] = now
                highest = pk
        self.cursor = highest
        if self.gaps:
            self.gaps = {pk: seen for pk, seen in self.gaps.items() if now - seen < GAP_SECONDS}
        if now - self._last_cleanup > CLEANUP_SECONDS:
            self._last_cleanup = now
            Wakeup.objects.filter(created__lt=clock.now() - KEEP).delete()
        return keys
