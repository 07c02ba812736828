"""What a training run records as it goes: the JSON-lines log, and the best validation epoch's weights.

The log (``HOME/models/.runs/<name>-<time>.jsonl``, copied into the saved version) holds one record
per step (loss, learning rate), per epoch (validation metrics) and per stage of the recipe (start,
test before/after, saved), each with the seconds since the run started; the dashboard's Training
screen plots it. :class:`RunLog` writes it for the recipe and for the trainer's callback alike.
The best epoch is kept in memory (the trainable weights only) and restored after the last one.

Trade-off accepted: the log is appended line by line without locking; one run writes one file.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import torch


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
