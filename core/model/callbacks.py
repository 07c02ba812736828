"""What a training run records as it goes: the JSON-lines log, and the best validation epoch's weights.

The log (``HOME/models/.runs/<name>-<time>.jsonl``, copied into the saved version) holds one record
per step (loss, learning rate), per epoch (validation metrics) and per stage of the recipe (start,
test before/after, saved), each with the seconds since the run started; the dashboard's Training
screen plots it. :class:`RunLog` writes it for the recipe and for the trainer's callback alike.
The best epoch is kept in memory (the trainable weights only) and restored after the last one.

It also carries a run's progress to a caller's bar (:data:`Report`): :func:`epoch_progress` is the
trainer callback that reports epochs (fractional, after every step), :func:`counting` adapts a
``(done, total)`` counter such as the image features' to a ``Report`` with its unit.

Trade-off accepted: the log is appended line by line without locking; one run writes one file.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch


Report = Callable[[float, float, str], None]
"""``(done, total, unit)``: e.g. ``(512, 9375, "images")``, ``(3.5, 20, "epochs")``."""


def counting(report: Report, unit: str) -> Callable[[int, int], None]:
    """``report`` as a ``(done, total)`` counter of ``unit``."""
    return lambda done, total: report(done, total, unit)


def epoch_progress(report: Report | None) -> list:
    """``[callback]`` telling ``report`` the epochs done (fractional, after every optimiser step) out
    of the run's epochs, for ``SentenceTransformerTrainer(callbacks=...)``; ``[]`` without a report."""
    if report is None:
        return []
    from transformers import TrainerCallback

    class EpochProgress(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            report(0, args.num_train_epochs, "epochs")

        def on_step_end(self, args, state, control, **kwargs):
            report(min(state.epoch or 0.0, args.num_train_epochs), args.num_train_epochs, "epochs")

    return [EpochProgress()]


class RunLog:
    """Appends JSON records with ``time_s`` (seconds since ``started``) to one file."""

    def __init__(self, path: Path, started: float | None = None):
        self.path = Path(path)
        self.started = time.time() if started is None else started

    def elapsed(self) -> float:
        return time.time() - self.started

    def write(self, record: dict[str, Any]) -> None:
        record["time_s"] = round(self.elapsed(), 3)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, default=float) + "\n")


def callbacks(log: RunLog, metric: str):
    """``(log callback, best-epoch keeper)`` for ``SentenceTransformerTrainer``; the keeper watches
    ``eval_<metric>`` and has ``restore(model)``, ``best`` and ``best_epoch``."""
    from transformers import TrainerCallback

    class JsonlLog(TrainerCallback):
        """Loss per step, metrics per epoch, wall time: the dashboard's Training screen plots it."""

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                log.write({"event": "step", "step": state.global_step, "epoch": state.epoch, "loss": logs["loss"],
                           "learning_rate": logs.get("learning_rate")})

        def on_evaluate(self, args, state, control, metrics=None, **kwargs):
            clean = {k.removeprefix("eval_"): v for k, v in (metrics or {}).items() if isinstance(v, (int, float))}
            log.write({"event": "epoch", "step": state.global_step, "epoch": state.epoch, **clean})

    class KeepBest(TrainerCallback):
        """Keep the trainable weights of the best validation epoch in memory; restore at the end."""

        def __init__(self):
            self.best = -math.inf
            self.best_epoch = None
            self.state: dict[str, torch.Tensor] | None = None

        def on_evaluate(self, args, state, control, metrics=None, model=None, **kwargs):
            value = (metrics or {}).get(f"eval_{metric}")
            if value is not None and model is not None and value > self.best:
                self.best, self.best_epoch = value, state.epoch
                self.state = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}

        def restore(self, model) -> None:
            if self.state is not None:
                with torch.no_grad():
                    for name, parameter in model.named_parameters():
                        if name in self.state:
                            parameter.copy_(self.state[name])

    return JsonlLog(), KeepBest()
