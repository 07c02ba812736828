"""Progress that moves: what a progress bar shows, with its unit and an honest time left.

Owns :class:`ProgressEvent` (a fraction, "12/20 epochs", "about 40 s left"), :class:`ProgressTracker`
(turns the counts of one piece of work into events: the time left is measured from the rate so
far; work that cannot be counted, such as a UMAP fit, moves with the clock against an expected
duration instead), :class:`StageProgress` (one tracker per stage and unit, thread-safe),
:class:`Heartbeat` (re-emits the latest event every second from a thread, so a bar keeps moving
and its time left keeps counting down through a blocking call) and :func:`about` (a duration as
people say it). No Streamlit here: a screen renders the events, the command line could print them.

Trade-off accepted: the time left assumes the rate so far holds, so it is pessimistic while a stage
warms up; before the first count there is no rate, and the event says how long it has been instead
of guessing (unless the caller gave an expected duration, which the text then calls "usual").
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


def about(seconds: float) -> str:
    """``"a few seconds"``, ``"40 s"`` (to 5 s), ``"1 min 30 s"`` (to 30 s up to 5 min), ``"6 min"``, ``"1 h 5 min"``."""
    seconds = max(float(seconds), 0.0)
    if seconds < 10:
        return "a few seconds"
    if seconds < 57.5:
        return f"{5 * round(seconds / 5)} s"
    if seconds < 285:
        minutes, half = divmod(round(seconds / 30), 2)
        return f"{minutes} min" + (" 30 s" if half else "")
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


@dataclass(frozen=True)
class ProgressEvent:
    """One state of a progress bar."""

    stage: str
    label: str
    done: float
    total: float
    unit: str
    """What is counted ("images", "epochs", "products"); empty for work that cannot be counted."""
    fraction: float
    elapsed_s: float
    left_s: float | None
    """Seconds left, or None when nothing says yet (see :attr:`time_left`)."""
    expected_s: float | None = None

    @property
    def counts(self) -> str:
        """``"12/20 epochs"``; empty for uncounted work."""
        if not self.unit or self.total <= 0:
            return ""
        return f"{math.floor(self.done + 1e-9):,}/{math.ceil(self.total - 1e-9):,} {self.unit}"

    @property
    def time_left(self) -> str:
        """``"about 40 s left"``, ``"almost done"``, or how long it has been when there is no estimate."""
        if self.fraction >= 1.0:
            return "done"
        if self.left_s is None:
            if self.expected_s and self.elapsed_s > self.expected_s:
                return f"{about(self.elapsed_s)} so far, longer than the usual {about(self.expected_s)}"
            return f"{about(self.elapsed_s)} so far"
        if self.left_s < 3:
            return "almost done"
        return f"about {about(self.left_s)} left"

    @property
    def text(self) -> str:
        """``"Training: 12/20 epochs · about 40 s left"``."""
        head = f"{self.label}: {self.counts}" if self.label and self.counts else (self.label or self.counts)
        return " · ".join(part for part in (head, self.time_left) if part)


class ProgressTracker:
    """The progress of one piece of work, from its counts (:meth:`update`) or its stage notes (:meth:`note`).

    >>> tracker = ProgressTracker("train", "epochs", label="Training")   # doctest: +SKIP
    >>> tracker.update(12, 20).text                                      # doctest: +SKIP
    'Training: 12/20 epochs · about 40 s left'
    """

    def __init__(self, stage: str, unit: str = "", *, label: str = "", expected_s: float | None = None,
                 clock: Clock = time.monotonic):
        self.stage, self.unit, self.label, self.expected_s, self.clock = stage, unit, label, expected_s, clock
        self.started = clock()
        self.done, self.total, self.noted = 0.0, 0.0, 0.0
        self.counted_at = self.started

    def update(self, done: float, total: float, label: str | None = None) -> ProgressEvent:
        """``done`` of ``total`` units are finished now."""
        self.done, self.total, self.counted_at = float(done), float(total), self.clock()
        if label is not None:
            self.label = label
        return self.event()

    def note(self, label: str, fraction: float | None = None) -> ProgressEvent:
        """Uncounted work reached a step (``"UMAP fit on 9,375 points"``), ``fraction`` of the way."""
        self.label = label
        if fraction is not None:
            self.noted = max(self.noted, min(max(float(fraction), 0.0), 1.0))
        return self.event()

    def event(self) -> ProgressEvent:
        """The state now: the time left counts down between updates (the heartbeat calls this)."""
        now = self.clock()
        elapsed = now - self.started
        left: float | None = None
        if self.unit and self.total > 0:
            fraction = min(self.done / self.total, 1.0)
            if self.done > 0 and self.counted_at > self.started:
                at_count = (self.counted_at - self.started) * (self.total - self.done) / self.done
                left = max(at_count - (now - self.counted_at), 0.0)
            elif self.expected_s:
                left = self.expected_s - elapsed if elapsed < self.expected_s else None
        elif self.expected_s:  # uncounted: the clock against the expected duration, never past 99%
            fraction = max(self.noted, min(elapsed / self.expected_s, 0.99))
            left = self.expected_s - elapsed if elapsed < self.expected_s else None
        else:
            fraction = self.noted
        if fraction >= 1.0:
            left = 0.0
        return ProgressEvent(self.stage, self.label, self.done, self.total, self.unit, fraction, elapsed, left,
                             self.expected_s)


class StageProgress:
    """One tracker per stage and unit, every event passed to ``emit`` (serialised: safe to call from
    the work's thread and a :class:`Heartbeat` alike). A new unit in a stage starts a new tracker,
    timed from the stage's start (its :meth:`note`) when it is the stage's first count: work that
    first reports after its first batch is then not taken for instant."""

    def __init__(self, emit: Callable[[ProgressEvent], None], *, expected_s: dict[str, float] | None = None,
                 clock: Clock = time.monotonic):
        self.emit, self.expected_s, self.clock = emit, expected_s or {}, clock
        self.tracker: ProgressTracker | None = None
        self.lock = threading.Lock()

    def _tracker(self, stage: str, unit: str, label: str) -> ProgressTracker:
        previous = self.tracker
        if previous is None or (previous.stage, previous.unit) != (stage, unit):
            expected = None if unit else self.expected_s.get(stage)
            self.tracker = ProgressTracker(stage, unit, label=label, expected_s=expected, clock=self.clock)
            if previous is not None and previous.stage == stage and not previous.unit:
                self.tracker.started = previous.started  # the first count of a stage timed from its start
        return self.tracker

    def count(self, stage: str, done: float, total: float, unit: str, label: str = "") -> None:
        """``done`` of ``total`` ``unit`` of ``stage`` are finished."""
        with self.lock:
            self.emit(self._tracker(stage, unit, label).update(done, total, label or None))

    def note(self, stage: str, label: str, fraction: float | None = None) -> None:
        """Uncounted work of ``stage`` reached a step (the map's stages); starts the stage's clock."""
        with self.lock:
            self.emit(self._tracker(stage, "", label).note(label, fraction))

    def beat(self) -> None:
        """Re-emit the current state (time left counting down, a timed bar moving)."""
        with self.lock:
            if self.tracker is not None:
                self.emit(self.tracker.event())


class Heartbeat:
    """Calls ``beat()`` every ``interval`` seconds from a daemon thread while the ``with`` block runs.

    A beat that raises stops the heartbeat (the work goes on; its own reports still arrive)."""

    def __init__(self, beat: Callable[[], None], interval: float = 1.0):
        self.beat, self.interval = beat, interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="progress-heartbeat", daemon=True)

    def _run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                self.beat()
            except Exception:  # noqa: BLE001 - a display that fails must not fail the work
                return

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()
