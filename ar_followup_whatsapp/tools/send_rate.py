# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A company's sending rate: at most ``rate`` calls started in any second.

Plain Python, no database: the dispatcher asks :meth:`SendRate.wait` before
starting each call and :meth:`SendRate.take` when it starts one. Each start
holds one of ``rate`` slots, which comes back one second after that start, so
no span of a second ever holds more than ``rate`` starts, wherever it begins
(a token bucket whose tokens return a second after use).

>>> now = [100.0]
>>> rate = SendRate(3, clock=lambda: now[0])
>>> [rate.take() for _i in range(3)]
[100.0, 100.0, 100.0]
>>> rate.wait()  # the three slots come back at 101.0
1.0
>>> now[0] = 100.4
>>> round(rate.wait(), 6)
0.6
>>> now[0] = 101.0
>>> rate.wait(), rate.free()
(0.0, 3)
>>> rate.take(), round(rate.wait(), 6)
(101.0, 0.0)
>>> now[0] = 101.5
>>> rate.take(), rate.take(), round(rate.wait(), 6)
(101.5, 101.5, 0.5)

Taking a slot that is not free is a mistake of the caller:

>>> rate.take()
Traceback (most recent call last):
...
ValueError: no free slot: wait 0.5 s

Threads sharing a rate take a slot when one is free, or learn how long to wait, at once:

>>> round(rate.try_take(), 6)
0.5
>>> now[0] = 102.0
>>> rate.try_take(), rate.free()
(0.0, 0)

A :class:`Turn` lets the calling threads start calls while the dispatcher holds its
company's sending turn, each when the rate allows:

>>> now[0] = 103.0
>>> turn = Turn(rate)
>>> turn.open()
>>> turn.enter(), rate.free()
(True, 2)
>>> turn.stop()
>>> turn.enter()
False
"""

import threading
import time
from collections import deque


def real_clock():
    """Seconds of the system's monotonic clock, read from the system itself: a rate is
    a promise over real seconds, which no frozen clock of a caller (``freezegun`` in
    tests) may stretch or stop."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


class SendRate:
    """At most ``rate`` starts in any ``span`` seconds (one by default)."""

    def __init__(self, rate, span=1.0, clock=real_clock):
        if rate < 1:
            raise ValueError("the rate must be at least 1")
        self.rate = rate
        self.span = span
        self.clock = clock
        self._starts = deque()  # the starts of the last span, oldest first
        # a process keeps one per company, which its dispatching threads share
        self._lock = threading.Lock()

    def _expire(self, now):
        while self._starts and self._starts[0] + self.span <= now:
            self._starts.popleft()

    def free(self):
        """How many calls may start now."""
        with self._lock:
            self._expire(self.clock())
            return max(self.rate - len(self._starts), 0)

    def _wait(self, now):
        self._expire(now)
        if len(self._starts) < self.rate:
            return 0.0
        return self._starts[-self.rate] + self.span - now

    def wait(self):
        """Seconds until a call may start (0.0: now)."""
        with self._lock:
            return self._wait(self.clock())

    def try_take(self):
        """Hold a slot for a call starting now if one is free (returns 0.0), else the
        seconds until one is (nothing held)."""
        with self._lock:
            now = self.clock()
            late = self._wait(now)
            if not late:
                self._starts.append(now)
            return late

    def take(self):
        """Hold a slot for a call starting now; returns the time of the start."""
        with self._lock:
            now = self.clock()
            late = self._wait(now)
            if late:
                raise ValueError("no free slot: wait %s s" % round(late, 3))
            self._starts.append(now)
            return now


class Turn:
    """When the threads of a dispatcher may start calls: while its turn is open (the
    dispatcher holds its company's sending turn, until its transaction ends) and
    ``rate`` has a free slot.

    :meth:`enter` and :meth:`close` hold the same lock: a thread that was let in
    was let in before the turn closed, and none is let in after. One thread at a
    time waits for the turn and the rate, the others queue behind it without
    waking: a pool of threads polling the rate would take the interpreter from
    the dispatcher's main thread many times a second.
    """

    def __init__(self, rate):
        self.rate = rate
        self._condition = threading.Condition()
        self._next = threading.Lock()  # the thread waiting for the turn and the rate
        self._open = False
        self._stopped = False

    def open(self):
        with self._condition:
            self._open = True
            self._condition.notify_all()

    def close(self):
        with self._condition:
            self._open = False

    def stop(self):
        """No call starts any more: the threads waiting are let go, with False."""
        with self._condition:
            self._stopped = True
            self._condition.notify_all()

    def enter(self):
        """Wait until a call may start and hold its slot of the rate: True; False once
        :meth:`stop` was called (the call must not start)."""
        with self._next, self._condition:
            while not self._stopped:
                late = self.rate.try_take() if self._open else None
                if late == 0.0:
                    return True
                # woken by open() or stop(), or when the slot comes back
                self._condition.wait(late)
            return False
