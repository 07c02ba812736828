"""Torch's intra-op thread count for one piece of work: the regime every query is encoded in.

Torch's thread count is process-wide and it changes the last bits of a vector, so a query is always
encoded on one thread, under one re-entrant lock shared by every caller (the searcher wraps the
embedder, whose one-text route wraps its own torch calls: the same lock, nested).
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager

_TORCH_THREADS_LOCK = threading.RLock()


@contextmanager
def single_intra_op_thread():
    """Run the body with one torch intra-op thread (no-op when torch is not loaded)."""
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    with _TORCH_THREADS_LOCK:
        before = torch.get_num_threads()
        if before != 1:
            torch.set_num_threads(1)
        try:
            yield
        finally:
            if before != 1:
                torch.set_num_threads(before)
