"""A status box with a progress bar that renders core's progress events (``core.reports.progress``).

The bar shows each event's fraction and text ("Training: 12/20 epochs · about 40 s left"); core
computes both, this only draws them. Core's heartbeat sends events from its own thread, and
Streamlit draws only from threads that carry the script's run context, so the box hands the context
of the script that created it to whichever thread calls it. Trade-off accepted: that is Streamlit's
documented-but-unsupported way of drawing from a thread; the box only ever updates its own bar and
label, serialised by the caller (:class:`core.reports.progress.StageProgress` holds a lock).
"""

from __future__ import annotations

import threading

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from core.reports.progress import ProgressEvent


class ProgressBox:
    """``st.status`` + bar, opened at once or (``lazy``) at the first event; call it with events."""

    def __init__(self, label: str, *, lazy: bool = False):
        self.label, self.box, self.bar = label, None, None
        self.context = get_script_run_ctx(suppress_warning=True)
        if not lazy:
            self.open()

    def open(self) -> None:
        if self.box is None:
            self.box = st.status(self.label, expanded=True)
            self.bar = self.box.progress(0.0)

    def _in_script(self) -> None:
        if self.context is not None and get_script_run_ctx(suppress_warning=True) is None:
            add_script_run_ctx(threading.current_thread(), self.context)

    def __call__(self, event: ProgressEvent) -> None:
        self._in_script()
        self.open()
        self.bar.progress(min(max(float(event.fraction), 0.0), 1.0), text=event.text)

    def stage(self, label: str, message: str) -> None:
        """A new stage: the box's label says it, its body keeps a line for it."""
        self.open()
        self.box.update(label=label, expanded=True)  # without expanded, Streamlit 1.67 collapses the box
        self.box.write(message)

    def finish(self, label: str, *, state: str = "complete") -> None:
        if self.box is not None:
            if state == "complete":
                self.bar.progress(1.0, text="done")
            self.box.update(label=label, state=state, expanded=state != "complete")
