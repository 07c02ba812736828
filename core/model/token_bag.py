"""Train a ``TokenBagHead`` on the rows its training texts use, and save it whole.

The bag is an ``nn.Embedding`` over MiniLM's 30,522 word pieces, and a catalogue's names use a few
thousand of them. Trained as a dense table, every step pays for all 30,522 rows: the gradient, the
clipping norm and AdamW's update touch 7.8 M weights of which nine in ten never get a gradient.
:func:`compact_token_bags` swaps the table for :class:`CompactEmbedding`, the rows of the token ids
the training texts contain (taken from the same random draw, so they train as they would in the
whole table) plus one zero row that every other id reads. The head saves the whole table again
(:func:`full_table`), so a saved model has the usual ``bag.weight`` and loads, searches and exports
as before. On the shared catalogue (2 AVX2 cores) the 20 epochs took 127 s against 141 s dense
(no bag at all: 103 s), with the same figures on the split.

The one difference from the dense table: a word piece no training text contains adds nothing to a
query, where the dense table added its random initial row (std 0.02 per dimension, barely decayed):
noise on exactly the words a new catalogue brings, such as a brand never trained on. The figures
did not move (the same on the split for two seeds; with brands held out, within the re-scoring
weight's choice on valid). Learning only the word pieces of at least 3 or 10 training names was
tried and not kept (docs/experiments.md: the proxies disagreed in sign).
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn


class CompactEmbedding(nn.Module):
    """An embedding over ``num_embeddings`` ids that stores only the rows of ``ids``; the others read zeros."""

    def __init__(self, full: nn.Embedding, ids: torch.Tensor):
        super().__init__()
        ids = torch.unique(ids.long())
        self.num_embeddings, self.embedding_dim = full.num_embeddings, full.embedding_dim
        if len(ids) and not 0 <= int(ids.min()) <= int(ids.max()) < self.num_embeddings:
            raise ValueError(f"token ids must lie in [0, {self.num_embeddings}), got {int(ids.min())}..{int(ids.max())}")
        remap = torch.full((self.num_embeddings,), len(ids), dtype=torch.long)
        remap[ids] = torch.arange(len(ids))
        self.register_buffer("remap", remap, persistent=False)
        # the last row is the zero row: padding_idx keeps its gradient at zero, so AdamW leaves it at zero
        with torch.no_grad():  # (_weight: no fresh initialisation, which would draw from the seeded generator)
            rows = torch.cat([full.weight[ids], full.weight.new_zeros(1, self.embedding_dim)])
        self.rows = nn.Embedding(len(ids) + 1, self.embedding_dim, padding_idx=len(ids), _weight=rows)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.rows(self.remap[input_ids])

    def full_weight(self) -> torch.Tensor:
        """The whole ``(num_embeddings, dim)`` table: the stored rows where they are, zeros elsewhere."""
        return self.rows.weight.detach()[self.remap]


def full_table(head: nn.Module) -> nn.Module:
    """``head`` with a plain ``nn.Embedding`` bag: itself, or (compact bag) a copy holding the whole table."""
    if not isinstance(head.bag, CompactEmbedding):
        return head
    whole = type(head)(head.in_features, head.out_features, head.vocab_size)
    whole.linear.load_state_dict(head.linear.state_dict())
    with torch.no_grad():
        whole.bag.weight.copy_(head.bag.full_weight())
    return whole


def token_ids(tokenizer, texts: Iterable[str], max_length: int) -> torch.Tensor:
    """Every token id the text tower feeds its bag for ``texts`` (truncated as the tower truncates)."""
    encoded = tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]
    return torch.tensor(sorted({i for row in encoded for i in row}), dtype=torch.long)


def compact_token_bags(model, texts: Iterable[str]) -> int:
    """Give every token bag of ``model`` a compact table over the ids of ``texts``; returns the rows kept."""
    # (by their attributes: core.model.towers imports this module to save a head)
    heads = [m for m in model.modules() if isinstance(getattr(m, "bag", None), (nn.Embedding, CompactEmbedding))]
    towers = [m for m in model.modules() if getattr(m, "emit_tokens", False) and hasattr(m, "tokenizer")]
    if heads and len(towers) != 1:
        raise ValueError(f"a token bag needs the one text tower that feeds it token ids, found {len(towers)}")
    ids = token_ids(towers[0].tokenizer, texts, towers[0].max_seq_length) if heads else torch.zeros(0)
    for head in heads:
        if isinstance(head.bag, CompactEmbedding):
            raise ValueError("this token bag is compact already")
        head.bag = CompactEmbedding(head.bag, ids)
    return len(ids) * len(heads)
