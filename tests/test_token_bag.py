"""The compact token bag trains the rows its texts use exactly as the dense table would, and saves the whole table."""

import copy

import pytest
import torch

from core.model.token_bag import CompactEmbedding, compact_token_bags, full_table
from core.model.towers import TokenBagHead

SEEN = torch.tensor([1, 3, 5, 8, 13])


def _batch(step: int) -> dict:
    """Token ids drawn from SEEN only (a training batch), padded with 0 under a zero mask."""
    generator = torch.Generator().manual_seed(step)
    ids = SEEN[torch.randint(len(SEEN), (4, 6), generator=generator)]
    mask = torch.ones(4, 6, dtype=torch.long)
    ids[:, -1], mask[:, -1] = 0, 0
    return {"sentence_embedding": torch.randn(4, 6, generator=generator), "input_ids": ids, "attention_mask": mask}


def _train(head: TokenBagHead, steps: int = 5) -> None:
    optimiser = torch.optim.AdamW(head.parameters(), lr=1e-2, weight_decay=0.1)
    for step in range(steps):
        target = torch.randn(4, 8, generator=torch.Generator().manual_seed(100 + step))
        loss = ((head(_batch(step))["sentence_embedding"] - target) ** 2).mean()
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(head.parameters(), 0.5)  # the trainer clips on the global norm
        optimiser.step()


def test_the_rows_a_training_set_uses_train_exactly_as_in_the_dense_table():
    torch.manual_seed(0)
    dense = TokenBagHead(6, 8, vocab_size=20)
    compact = copy.deepcopy(dense)
    compact.bag = CompactEmbedding(compact.bag, torch.tensor([13, 1, 5, 3, 8, 8]))
    assert compact.bag.rows.weight.shape == (len(SEEN) + 1, 8)
    _train(dense)
    _train(compact)
    whole = compact.bag.full_weight()
    torch.testing.assert_close(whole[SEEN], dense.bag.weight.detach()[SEEN])
    torch.testing.assert_close(compact.linear.weight, dense.linear.weight)
    unseen = torch.ones(20, dtype=torch.bool)
    unseen[SEEN] = False
    assert torch.count_nonzero(whole[unseen]) == 0  # the dense table kept its random rows there
    assert torch.count_nonzero(dense.bag.weight[unseen]) > 0


def test_a_compact_bag_saves_the_whole_table_and_loads_as_a_plain_head(tmp_path):
    torch.manual_seed(1)
    head = TokenBagHead(6, 8, vocab_size=20)
    head.bag = CompactEmbedding(head.bag, SEEN)
    _train(head)
    head.save(str(tmp_path))
    loaded = TokenBagHead.load(str(tmp_path))
    assert isinstance(loaded.bag, torch.nn.Embedding) and loaded.bag.weight.shape == (20, 8)
    batch = _batch(7)
    batch["input_ids"][0, :3] = torch.tensor([2, 19, 4])  # ids no training text had read the zero row
    with torch.no_grad():
        expected = head(dict(batch))["sentence_embedding"]
        torch.testing.assert_close(loaded(dict(batch))["sentence_embedding"], expected)
    assert full_table(loaded) is loaded


def test_ids_outside_the_vocabulary_are_refused():
    with pytest.raises(ValueError, match="token ids must lie in"):
        CompactEmbedding(torch.nn.Embedding(10, 4), torch.tensor([2, 10]))


def test_compacting_a_model_reads_the_ids_its_text_tower_feeds_the_bag():
    from core.model.lit import LitConfig, build_lit

    model = build_lit(LitConfig(image_size=96))
    head = next(m for m in model.modules() if isinstance(m, TokenBagHead))
    before = head.bag.weight.detach().clone()
    texts = ["Nike Men Blue T-shirt", "Puma Women Black Shoes"]
    generator = torch.get_rng_state()
    kept = compact_token_bags(model, texts)
    assert torch.equal(torch.get_rng_state(), generator)  # the seeded draws of the rest of training are untouched
    tokenizer = model[0].sub_modules["text"][0].tokenizer
    ids = sorted({i for row in tokenizer(texts)["input_ids"] for i in row})  # with [CLS] and [SEP]
    assert kept == len(ids) and head.bag.remap[ids].tolist() == list(range(len(ids)))
    torch.testing.assert_close(head.bag.full_weight()[ids], before[ids])
    with torch.no_grad():
        out = model.encode(texts + ["Adidas Unisex Red Cap"], convert_to_tensor=True)
    assert torch.isfinite(out).all()
    with pytest.raises(ValueError, match="compact already"):
        compact_token_bags(model, texts)

