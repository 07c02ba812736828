"""Training batches whose in-batch negatives are hard: products of the same article type together.

With random batches of 256 from a catalogue of ~130 article types, almost every in-batch negative
of a "Puma Men Black Sports Shoes" is a shirt or a watch, which the model tells apart already; the
mistakes it makes are the shoe in another colour, for the other gender or of another brand. The
``by-type`` batches are made of half-batch blocks of one article type each (shuffled within the type
every epoch, the blocks shuffled together), so about half of each product's negatives share its
type and differ in colour, gender or brand. Every training row still comes once per epoch.
Same-name products are masked out as negatives by the loss (``core.model.loss``), as before.
"""

from __future__ import annotations

import math

import numpy as np

BATCHES = ("random", "by-type")


def by_type_sampler(types: np.ndarray):
    """A sentence-transformers batch sampler class over rows whose article type ids are ``types``."""
    from sentence_transformers.base.sampler import DefaultBatchSampler

    types = np.asarray(types)

    class ByTypeBatchSampler(DefaultBatchSampler):
        def __iter__(self):
            rng = np.random.default_rng((int(self.seed), int(self.epoch)))
            half = max(1, self.batch_size // 2)
            blocks = []
            for value in np.unique(types):
                rows = rng.permutation(np.flatnonzero(types == value))
                blocks.extend(rows[start : start + half] for start in range(0, len(rows), half))
            order = np.concatenate([blocks[i] for i in rng.permutation(len(blocks))]) if blocks else np.zeros(0, int)
            for start in range(0, len(order), self.batch_size):
                batch = order[start : start + self.batch_size]
                if len(batch) < self.batch_size and self.drop_last:
                    return
                yield batch.tolist()

        def __len__(self) -> int:
            n = len(types)
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    return ByTypeBatchSampler
