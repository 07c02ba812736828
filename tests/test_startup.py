"""Cold start: a command imports only what it uses, and the light paths give the same answers.

What is imported is read from ``sys.modules`` in a fresh interpreter (a subprocess); nothing here
times anything (``python -m benchmarks.bench_startup`` measures). The one-text route of a saved
model (``core.model.text_query.TextQueryEncoder``) must encode exactly as the whole model does, and a
one-off filtered search, which skips the metadata table, must find what a searcher with the table finds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.config import Settings
from core.index.filters import Filters
from core.index.search import SearchQuery, Searcher
from tests.test_search import demo_catalog, demo_settings, embedder, indexed  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "sentence_transformers", "chromadb", "langchain", "langchain_core",
         "langchain_openai", "langgraph", "streamlit", "umap", "sklearn")
REPORT = ("import sys, json; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")


def modules_after(code: str) -> set[str]:
    """Top-level packages imported once ``code`` has run in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", f"{code}\n{REPORT}"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m in HEAVY or m.startswith("langchain"))


def test_importing_the_command_line_imports_no_heavy_library():
    assert heavy(modules_after("import core.cli.main")) == []


@pytest.mark.parametrize("argv", [["--help"], ["search", "--help"], ["ask", "--help"], ["index", "--help"]])
def test_help_imports_no_heavy_library(argv):
    code = ("import runpy, sys\n"
            f"sys.argv = ['core', *{argv!r}]\n"
            "try:\n    runpy.run_module('core', run_name='__main__')\nexcept SystemExit as done:\n"
            "    assert done.code == 0, done.code")
    assert heavy(modules_after(code)) == []


def test_one_query_text_needs_neither_sentence_transformers_nor_the_image_tower(built_demo_home):
    code = ("from core.config import Settings\n"
            "from core.model.load import load_embedder\n"
            "from core.model.registry import latest_model\n"
            f"settings = Settings.from_env(env={{}}, home={str(built_demo_home)!r})\n"
            "embedder = load_embedder(latest_model(settings))\n"
            "assert embedder.encode_texts(['red t-shirt']).shape == (1, embedder.dim)\n"
            "assert embedder.text_attributes(['red t-shirt']).shape == (1, embedder.scorer.width)")
    modules = modules_after(code)
    assert "torch" in modules and "transformers" in modules  # MiniLM itself
    assert not {"sentence_transformers", "efficientnet_lite_pytorch", "onnxruntime"} & modules


def test_a_question_back_loads_no_model(built_demo_home, tmp_path):
    """ "brunch outfit" names nobody: the stylist asks who it is for, with no product looked up."""
    home = tmp_path / "home"
    shutil.copytree(built_demo_home, home)  # ask writes its checkpoint under HOME
    code = ("import contextlib, io, json\n"
            "from core.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            f"    assert main(['ask', 'brunch outfit', '--json', '--home', {str(home)!r}]) == 0\n"
            "assert json.loads(out.getvalue())['products'] == []")
    modules = modules_after(code)
    assert "langgraph" in modules and "chromadb" in modules
    assert not {"torch", "transformers", "sentence_transformers"} & modules


@pytest.fixture(scope="module")
def demo_model(built_demo_home):
    from core.model.load import SentenceTransformerEmbedder, load_embedder, load_model
    from core.model.registry import latest_model

    folder = latest_model(Settings.from_env(env={}, home=built_demo_home))
    light = load_embedder(folder)
    return light, SentenceTransformerEmbedder(load_model(folder), light.version, light.scorer)


@pytest.mark.parametrize("text", ["red t-shirt", "Red Men Tshirt", "black handbag for women under 1500", "",
                                  "ünïcödé kurta 🎉", "navy " * 100, "Puma Men Black Sports Shoes"])
def test_the_text_route_encodes_exactly_as_the_whole_model(demo_model, text):
    """Bit for bit, on one intra-op thread: the regime search encodes queries in (the thread count
    moves the last bits, so the route always uses one)."""
    import torch

    light, full = demo_model
    assert light.layout["text_route"] is not None
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        np.testing.assert_array_equal(light.encode_texts([text]), full.encode_texts([text]))
        np.testing.assert_array_equal(light.text_attributes([text]), full.text_attributes([text]))
        np.testing.assert_array_equal(light.text_attributes([text]), full.text_attributes([text]))  # from the memo
    finally:
        torch.set_num_threads(before)
    assert torch.get_num_threads() == before


def test_batches_and_pictures_go_to_the_whole_model(demo_model, demo_catalog):  # noqa: F811
    light, full = demo_model
    texts = ["red t-shirt", "a pair of blue jeans for women"]
    np.testing.assert_array_equal(light.encode_texts(texts), full.encode_texts(texts))
    images = demo_catalog["image"].head(3).tolist()
    np.testing.assert_array_equal(light.encode_image_files(images), full.encode_image_files(images))
    assert light.dim == full.dim and light.lit and full.lit


# -- a one-off search skips the metadata table ---------------------------------------------------------
FILTERED = [
    SearchQuery(text="heels", k=20, filters=Filters(gender="women", colours=("red", "Black"), min_price=500, max_price=4000)),
    SearchQuery(text="shirt", filters=Filters(article_type="Watches", group="bottomwear")),  # nothing matches
    SearchQuery(text="blue jeans", k=5, filters=Filters(group="bottomwear")),
]


def test_a_one_off_filtered_search_finds_what_the_table_finds(indexed, embedder, monkeypatch):  # noqa: F811
    with_table = Searcher(indexed, embedder)
    assert len(with_table.table) > 0  # loaded: filters evaluated in memory
    like = with_table.search(SearchQuery(text="red t-shirt", k=1)).hits[0].id
    queries = [*FILTERED, SearchQuery(like_id=like, k=8, filters=Filters(gender="Men"))]
    expected = [with_table.search(q) for q in queries]

    import core.index.search as search_module

    def no_table(*args, **kwargs):
        raise AssertionError("a one-off search read every product's metadata")

    monkeypatch.setattr(search_module, "read_all", no_table)
    one_off = Searcher(indexed, embedder)
    for query, want in zip(queries, expected):
        got = one_off.search(query)
        assert [(h.id, h.score) for h in got.hits] == [(h.id, h.score) for h in want.hits], query
        assert got.reason == want.reason
    assert expected[1].reason and not expected[1].hits


# -- ONNX Runtime for one-text queries (core.model.onnx_text) ---------------------------------------
QUERIES = ["red t-shirt", "Puma Men Black Sports Shoes", "black handbag for women under 1500", "", "navy " * 100]


def test_text_queries_move_to_onnx_runtime_once_started(demo_model, built_demo_home, tmp_path):
    from core.model.load import load_embedder
    from core.model.registry import latest_model

    _, full = demo_model
    folder = latest_model(Settings.from_env(env={}, home=built_demo_home))
    light = load_embedder(folder, cache_dir=tmp_path)
    runner = light.text_route.runner
    np.testing.assert_allclose(light.encode_texts(["red t-shirt"]), full.encode_texts(["red t-shirt"]), atol=1e-6)  # torch
    assert not runner.active and not list(tmp_path.rglob("*.onnx"))  # one-shot use never exports
    light.start_query_runtime()
    assert runner.ensure(timeout=300), runner.failed
    assert runner.path.parent == tmp_path / "onnx" and runner.path.name.startswith("minilm-")
    for text in QUERIES:
        np.testing.assert_allclose(light.encode_texts([text]), full.encode_texts([text]), atol=1e-5)
        np.testing.assert_allclose(light.text_attributes([text]), full.text_attributes([text]), atol=1e-5)
    written = runner.path.stat().st_mtime_ns
    again = load_embedder(folder, cache_dir=tmp_path).text_route.runner
    assert again.ensure(timeout=300) and again.path == runner.path
    assert runner.path.stat().st_mtime_ns == written  # opened, not exported again
    runner.path.write_bytes(b"not a model")
    damaged = load_embedder(folder, cache_dir=tmp_path).text_route.runner
    assert damaged.ensure(timeout=300) and damaged.path.stat().st_size > 1_000_000  # rebuilt


def test_searches_rank_the_same_with_onnx_runtime_queries(built_demo_home, tmp_path):
    from core.model.load import load_embedder
    from core.model.registry import latest_model

    settings = Settings.from_env(env={}, home=built_demo_home)
    folder = latest_model(settings)
    fast = load_embedder(folder, cache_dir=tmp_path)
    fast.start_query_runtime()
    assert fast.text_route.runner.ensure(timeout=300)
    plain, onnx = Searcher(settings, load_embedder(folder)), Searcher(settings, fast)
    for text in ["red t-shirt", "blue jeans for men", "black heels", "white sports shoes", "watch", "kurta"]:
        want = plain.search(SearchQuery(text=text, k=10)).hits
        got = onnx.search(SearchQuery(text=text, k=10)).hits
        assert [h.id for h in got] == [h.id for h in want], text
        assert np.allclose([h.score for h in got], [h.score for h in want], atol=1e-5)


def test_without_onnx_runtime_text_queries_stay_in_torch(demo_model, built_demo_home, tmp_path, monkeypatch):
    from core.model.load import load_embedder
    from core.model.registry import latest_model

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails
    _, full = demo_model
    light = load_embedder(latest_model(Settings.from_env(env={}, home=built_demo_home)), cache_dir=tmp_path)
    with pytest.warns(UserWarning, match="text queries stay in torch"):
        light.start_query_runtime()
        assert not light.text_route.runner.ensure(timeout=300)
    assert "onnxruntime" in light.text_route.runner.failed
    np.testing.assert_allclose(light.encode_texts(["red t-shirt"]), full.encode_texts(["red t-shirt"]), atol=1e-6)


def test_a_one_off_query_opens_an_export_on_disk_without_transformers(demo_model, built_demo_home, tmp_path):
    from core.model.load import load_embedder
    from core.model.registry import latest_model

    _, full = demo_model
    folder = latest_model(Settings.from_env(env={}, home=built_demo_home))
    exporter = load_embedder(folder, onnx_dir=tmp_path / "onnx")  # what build does for HOME/cache/onnx
    exporter.start_query_runtime()
    assert exporter.text_route.runner.ensure(timeout=300)
    out = tmp_path / "vectors.npz"
    code = ("import numpy as np\n"
            "from core.model.load import load_embedder\n"
            f"e = load_embedder({str(folder)!r}, onnx_dir={str(tmp_path / 'onnx')!r})\n"
            "assert e.text_route.runner.active\n"
            f"np.savez({str(out)!r}, v=e.encode_texts(['red t-shirt']), a=e.text_attributes(['red t-shirt']))")
    modules = modules_after(code)
    assert "onnxruntime" in modules and "tokenizers" in modules
    assert not {"transformers", "sentence_transformers"} & modules
    got = np.load(out)
    np.testing.assert_allclose(got["v"], full.encode_texts(["red t-shirt"]), atol=1e-5)
    np.testing.assert_allclose(got["a"], full.text_attributes(["red t-shirt"]), atol=1e-5)
