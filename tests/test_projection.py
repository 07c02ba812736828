"""core.explore: vectors from the index, fused vectors, projection keys, the on-disk map cache, and the
map's frame (core.explore.vectors, .projection, .map)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import core.explore.projection as projection
from core.errors import FashionError
from core.explore.map import COLOUR_FIELDS, build_map, map_frame
from core.explore.projection import Projection, ProjectionParams, cached_projection, project, projection_key
from core.explore.vectors import Vectors, fuse, load_vectors
from core.model.embedder import normalise


def blobs(sizes=(40, 30, 20), dim=16, seed=0, kind="image", version="test-v1") -> Vectors:
    """Well separated unit-vector blobs: blob b sits around basis vector e_b."""
    rng = np.random.default_rng(seed)
    rows = []
    for b, size in enumerate(sizes):
        centre = np.zeros(dim, np.float32)
        centre[b] = 1.0
        rows.append(centre + 0.05 * rng.standard_normal((size, dim)).astype(np.float32))
    matrix = normalise(np.concatenate(rows))
    ids = np.arange(1000, 1000 + len(matrix), dtype=np.int64)
    return Vectors(version=version, kind=kind, ids=ids, matrix=matrix, metadata=pd.DataFrame({"id": ids}))


@pytest.fixture
def counted(monkeypatch):
    """Count real computations (our own function, wrapped, not a vendor's)."""
    calls = []
    real = projection.compute_coordinates

    def counting(matrix, params, **kwargs):
        calls.append(params.method)
        return real(matrix, params, **kwargs)

    monkeypatch.setattr(projection, "compute_coordinates", counting)
    return calls


def test_fused_vectors_are_normalised_sums():
    rng = np.random.default_rng(1)
    image, text = normalise(rng.standard_normal((5, 8))), normalise(rng.standard_normal((5, 8)))
    fused = fuse(image, text)
    assert np.allclose(np.linalg.norm(fused, axis=1), 1.0, atol=1e-6)
    expected = (image + text) / np.linalg.norm(image + text, axis=1, keepdims=True)
    assert np.allclose(fused, expected, atol=1e-6)


def test_normalise_keeps_zero_rows():
    out = normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert np.allclose(out, [[0.6, 0.8], [0.0, 0.0]])


def test_pca_map_is_computed_once_then_read_from_disk(tmp_path, counted):
    vectors = blobs()
    first = project(vectors, ProjectionParams(method="pca"), cache_dir=tmp_path)
    assert not first.cached and counted == ["pca"]
    assert list(first.coords.columns) == ["id", "x", "y"] and len(first.coords) == len(vectors)
    assert (tmp_path / f"{first.key}.parquet").is_file() and (tmp_path / f"{first.key}.json").is_file()
    assert not list(tmp_path.glob("*.tmp"))  # written to a temporary name, then renamed

    second = project(vectors, ProjectionParams(method="pca"), cache_dir=tmp_path)
    assert second.cached and counted == ["pca"]  # no second computation
    assert second.key == first.key and second.info["points"] == len(vectors)
    pd.testing.assert_frame_equal(first.coords, second.coords)


def test_pca_separates_blobs(tmp_path):
    coords = project(blobs(), ProjectionParams(method="pca"), cache_dir=tmp_path).coords[["x", "y"]].to_numpy()
    centres = np.stack([coords[:40].mean(0), coords[40:70].mean(0), coords[70:].mean(0)])
    spread = max(coords[:40].std(0).max(), coords[40:70].std(0).max(), coords[70:].std(0).max())
    gaps = [np.linalg.norm(centres[i] - centres[j]) for i in range(3) for j in range(i + 1, 3)]
    assert min(gaps) > 3 * spread


def test_key_depends_on_what_produced_the_map():
    vectors = blobs()
    umap_default = projection_key(vectors, ProjectionParams())
    assert projection_key(vectors, ProjectionParams()) == umap_default  # deterministic
    assert projection_key(vectors, ProjectionParams(n_neighbors=30)) != umap_default
    assert projection_key(vectors, ProjectionParams(min_dist=0.5)) != umap_default
    assert projection_key(vectors, ProjectionParams(method="pca")) != umap_default
    assert projection_key(blobs(kind="text"), ProjectionParams()) != umap_default
    assert projection_key(blobs(version="test-v2"), ProjectionParams()) != umap_default
    assert projection_key(blobs(seed=1), ProjectionParams()) != umap_default  # same ids, other vectors
    # PCA ignores UMAP's parameters: one PCA map per vectors
    assert projection_key(vectors, ProjectionParams(method="pca", n_neighbors=30)) == projection_key(
        vectors, ProjectionParams(method="pca"))


def test_other_params_are_a_cache_miss(tmp_path, counted):
    vectors = blobs()
    project(vectors, ProjectionParams(method="pca"), cache_dir=tmp_path)
    assert cached_projection(vectors, ProjectionParams(), tmp_path) is None
    assert cached_projection(blobs(seed=3), ProjectionParams(method="pca"), tmp_path) is None


def test_damaged_cache_file_is_recomputed(tmp_path, counted):
    vectors = blobs()
    first = project(vectors, ProjectionParams(method="pca"), cache_dir=tmp_path)
    (tmp_path / f"{first.key}.parquet").write_bytes(b"not parquet")
    again = project(vectors, ProjectionParams(method="pca"), cache_dir=tmp_path)
    assert not again.cached and counted == ["pca", "pca"]
    assert project(vectors, ProjectionParams(method="pca"), cache_dir=tmp_path).cached


def test_umap_map_reports_stages_and_is_reproducible(tmp_path):
    vectors = blobs(sizes=(25, 20, 15))
    stages = []
    first = project(vectors, ProjectionParams(n_neighbors=10), cache_dir=tmp_path / "a",
                    progress=lambda stage, fraction: stages.append((stage, fraction)))
    xy = first.coords[["x", "y"]].to_numpy()
    assert xy.shape == (60, 2) and np.isfinite(xy).all()
    assert [s for s, _ in stages][:1] == ["PCA pre-reduction to 50 dimensions"]
    assert any("UMAP fit" in s for s, _ in stages) and stages[-1] == ("Map ready", 1.0)
    assert [f for _, f in stages] == sorted(f for _, f in stages)
    again = project(vectors, ProjectionParams(n_neighbors=10), cache_dir=tmp_path / "b")  # no cache: recomputed
    assert np.allclose(again.coords[["x", "y"]].to_numpy(), xy)  # fixed random_state
    centres = np.stack([xy[:25].mean(0), xy[25:45].mean(0), xy[45:].mean(0)])
    spread = max(xy[:25].std(0).max(), xy[25:45].std(0).max(), xy[45:].std(0).max())
    assert min(np.linalg.norm(centres[i] - centres[j]) for i in range(3) for j in range(i + 1, 3)) > 2 * spread


@pytest.mark.parametrize(("n", "k", "block"), [(90, 15, 1024), (90, 7, 16), (5, 5, 2), (4, 9, 3)])
def test_exact_neighbours_match_brute_force_with_each_point_first(n, k, block):
    points = np.random.default_rng(n + k).standard_normal((n, 6)).astype(np.float32)
    points[1] = points[0]  # an exact duplicate: still itself first
    indices, distances = projection.exact_neighbours(points, k, block=block)
    k = min(k, n)
    assert indices.shape == distances.shape == (n, k) and indices.dtype == np.int32
    assert (indices[:, 0] == np.arange(n)).all() and np.allclose(distances[:, 0], 0, atol=1e-3)
    full = np.linalg.norm(points[:, None] - points[None], axis=2)
    expected = np.sort(full, axis=1)[:, :k]
    assert np.allclose(distances, expected, atol=1e-3)
    assert np.allclose(np.take_along_axis(full, indices.astype(np.int64), 1), distances, atol=1e-3)
    assert (np.diff(distances, axis=1) >= -1e-6).all()


JIT_PROBE = """
import sys, numpy as np
from pathlib import Path
from core.explore.projection import enable_jit_cache
folder = enable_jit_cache(Path(sys.argv[1]))
from umap.distances import euclidean  # not marked cache=True by umap itself
euclidean(np.zeros(3), np.ones(3))
print(folder, sum(euclidean.stats.cache_hits.values()), sum(euclidean.stats.cache_misses.values()))
"""


def test_umaps_compiled_functions_are_cached_under_the_given_folder(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}

    def probe() -> list[str]:
        done = subprocess.run([sys.executable, "-c", JIT_PROBE, str(tmp_path / "numba")], env=env, text=True,
                              capture_output=True, check=True, cwd=Path(__file__).resolve().parents[1])
        return done.stdout.split()

    folder, hits, misses = probe()
    assert folder == str(tmp_path / "numba") and (hits, misses) == ("0", "1")
    assert list((tmp_path / "numba").rglob("distances.euclidean-*.nbi"))
    assert probe()[1:] == ["1", "0"]  # a new process loads it instead of compiling


@pytest.mark.parametrize("n", [1, 2])
def test_tiny_inputs_are_placed_on_a_line(tmp_path, n):
    vectors = blobs(sizes=(n,))
    coords = project(vectors, ProjectionParams(), cache_dir=tmp_path).coords
    assert coords["x"].tolist() == list(range(n)) and (coords["y"] == 0).all()


def test_empty_vectors_are_an_error(tmp_path):
    empty = Vectors(version="v", kind="image", ids=np.zeros(0, np.int64), matrix=np.zeros((0, 4), np.float32))
    with pytest.raises(FashionError, match="nothing to project"):
        project(empty, ProjectionParams(method="pca"), cache_dir=tmp_path)


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "tsne"}, "projection method"),
    ({"n_neighbors": 1}, "n_neighbors"),
    ({"min_dist": 1.5}, "min_dist"),
    ({"pca_dims": -1}, "pca_dims"),
])
def test_bad_params_are_clear_errors(kwargs, message):
    with pytest.raises(FashionError, match=message):
        ProjectionParams(**kwargs)


def test_unknown_kind_is_an_error():
    with pytest.raises(FashionError, match="embedding kind"):
        blobs(kind="audio")


def test_map_frame_joins_catalogue_clusters_and_curation():
    vectors = blobs(sizes=(2, 1))
    vectors.metadata["name"] = ["from index a", "from index b", "only in index"]
    vectors.metadata["price"] = [100, 200, 3000]
    coords = pd.DataFrame({"id": vectors.ids, "x": [0.0, 1.0, 2.0], "y": [0.0, 1.0, 2.0]})
    proj = Projection("k", coords, ProjectionParams(method="pca"), 0.1, False)
    catalog = pd.DataFrame({"id": vectors.ids[:2], "productDisplayName": ["Red Shirt", "Blue Jeans"],
                            "articleType": ["Shirts", "Jeans"], "group": ["topwear", "bottomwear"],
                            "price": [450, 1200], "split": ["train", "test"]})
    labels = pd.DataFrame({"id": [vectors.ids[1]], "tags": ["summer"], "flags": ["duplicate"], "notes": [2]})
    frame = map_frame(proj, vectors, catalog, labels=labels)
    assert frame["productDisplayName"].tolist() == ["Red Shirt", "Blue Jeans", "only in index"]
    assert frame["split"].tolist() == ["train", "test", ""]
    assert frame["price"].tolist() == [450, 1200, 3000]
    assert frame["price_band"].tolist() == ["under ₹500", "₹1,000–1,999", "₹2,000–4,999"]
    assert frame["group_label"].tolist()[:2] == ["Topwear", "Bottomwear"]
    assert frame["tags"].tolist() == ["", "summer", ""] and frame["notes"].tolist() == [0, 2, 0]
    assert (frame["cluster_name"] == "unclustered").all()
    assert set(COLOUR_FIELDS.values()) <= set(frame.columns)


def test_build_map_assembles_projection_clusters_and_frame(tmp_path):
    from core.explore.clusters import ClusterParams

    vectors = blobs()
    kinds = ["Tshirts"] * 40 + ["Jeans"] * 30 + ["Watches"] * 20
    catalog = pd.DataFrame({"id": vectors.ids, "productDisplayName": [f"p{i}" for i in range(90)],
                            "articleType": kinds, "baseColour": "Black", "gender": "Men",
                            "group": "topwear", "price": 999, "split": "train"})
    reports = []
    emap = build_map(vectors, ProjectionParams(method="pca"), ClusterParams(k=3), cache_dir=tmp_path, catalog=catalog,
                     progress=lambda stage, fraction: reports.append(fraction))
    assert len(emap.frame) == 90 and emap.frame["cluster"].nunique() == 3
    assert emap.frame["cluster_name"].iloc[0] == "0 · Men Black Tshirts"  # no encoder: the most frequent phrase
    assert list(emap.clusters["size"]) == [40, 30, 20]
    assert reports and max(reports) <= 1.0
    picked = emap.selection([vectors.ids[41], vectors.ids[0], 999_999])  # map order; unknown ids ignored
    assert picked["id"].tolist() == [vectors.ids[0], vectors.ids[41]] and picked["articleType"].tolist() == ["Tshirts", "Jeans"]
    assert emap.selection([]).empty
    reports.clear()
    again = build_map(vectors, ProjectionParams(method="pca"), ClusterParams(k=3), cache_dir=tmp_path,
                      catalog=catalog, progress=lambda stage, fraction: reports.append(fraction))
    assert again.projection.cached and again.clustering.cached and reports == []  # nothing computed, nothing reported


# -- the real index ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["image", "text", "fused"])
def test_load_vectors_from_the_built_index(built_demo_home, kind):
    from core.data.catalog import load_catalog
    from core.config import Settings

    settings = Settings.from_env(env={}, home=built_demo_home)
    vectors = load_vectors(settings, "lit-v1", kind)
    catalog = load_catalog(settings)
    assert len(vectors) == len(catalog) == 300
    assert np.array_equal(vectors.ids, np.sort(catalog["id"].to_numpy()))
    assert np.allclose(np.linalg.norm(vectors.matrix, axis=1), 1.0, atol=1e-5)
    assert vectors.metadata["id"].tolist() == vectors.ids.tolist() and "articleType" in vectors.metadata
    if kind == "fused":
        image, text = load_vectors(settings, "lit-v1", "image"), load_vectors(settings, "lit-v1", "text")
        assert np.allclose(vectors.matrix, fuse(image.matrix, text.matrix), atol=1e-6)


def test_load_vectors_reads_metadata_only_for_products_the_caller_lacks(built_demo_home):
    from core.config import Settings
    from core.index.records import ATTRIBUTE_KEY

    settings = Settings.from_env(env={}, home=built_demo_home)
    full = load_vectors(settings, "lit-v1", "image")
    assert ATTRIBUTE_KEY not in full.metadata  # the attribute scores are the search's, never the map's
    known = full.ids[2:]
    partial = load_vectors(settings, "lit-v1", "image", known_ids=known)
    assert np.array_equal(partial.ids, full.ids) and np.array_equal(partial.matrix, full.matrix)
    assert partial.metadata["id"].tolist() == full.ids.tolist()
    unknown = partial.metadata.set_index("id").loc[full.ids[:2]]
    assert unknown["articleType"].tolist() == full.metadata["articleType"][:2].tolist()
    assert partial.metadata.set_index("id").loc[known, "articleType"].isna().all()
    none_read = load_vectors(settings, "lit-v1", "fused", known_ids=full.ids)
    assert list(none_read.metadata.columns) == ["id"] and len(none_read) == 300


def test_load_vectors_without_an_index_is_a_clear_error(tmp_path):
    from core.config import Settings

    with pytest.raises(FashionError, match="no image index for model nope-v1"):
        load_vectors(Settings.from_env(env={}, home=tmp_path), "nope-v1", "image")
