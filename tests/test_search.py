"""Search on the demo catalogue: known answers, filters, image and hybrid queries, bad input.

Also home of the fixtures the index and server tests share (``PixelEmbedder``, ``demo_settings``,
``fresh_home``): the demo catalogue is generated and prepared once per session.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from core.config import Settings
from core.errors import FashionError
from core.index.filters import Filters, Vocabulary, validate, where_clause
from core.index.build import build_index
from core.index.query import SearchQuery, load_query_image
from core.index.search import Searcher

DEMO_SIZE = 300


# -- a deterministic fake encoder, honest about what it sees ----------------------------------
class PixelEmbedder:
    """A tiny "trained" dual encoder: images are read from their pixels only, texts from words.

    Space: [colour distribution over the demo palette | article-type distribution | bias].
    Image side: the palette histogram of the non-white pixels, and a nearest-centroid article
    type from the silhouette (centroids fitted on the catalogue's train split). Text side: the
    colour and article-type words it contains. Nothing is looked up by product id or file, so a
    search can only find red t-shirts if the index stored the right vectors under the right ids.
    """

    version = "pixel-fake-v1"

    def __init__(self, catalog: pd.DataFrame, *, version: str | None = None):
        from core.data.demo.generate import COLOUR_RGB

        self.version = version or self.version
        self.colours = list(COLOUR_RGB)
        self.palette = np.array([COLOUR_RGB[c] for c in self.colours], dtype=np.float32)
        train = catalog[catalog["split"] == "train"]
        self.types = sorted(catalog["articleType"].unique())
        shapes: dict[str, list[np.ndarray]] = {t: [] for t in self.types}
        for row in train.itertuples():
            with Image.open(row.image) as img:
                shapes[row.articleType].append(self._shape(img))
        centroids = np.stack([np.mean(shapes[t], axis=0) for t in self.types])
        self.centroids = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)
        self.dim = len(self.colours) + len(self.types) + 1
        self.type_words = sorted(
            ((self._type_pattern(t), i) for i, t in enumerate(self.types)),
            key=lambda p: -len(p[0].pattern),
        )
        self.colour_words = sorted(
            ((re.compile(rf"\b{c.lower()}\b"), i) for i, c in enumerate(self.colours)),
            key=lambda p: -len(p[0].pattern),
        )
        self.images_encoded = 0
        self.texts_encoded = 0

    @staticmethod
    def _type_pattern(article_type: str) -> re.Pattern:
        name = article_type.lower().replace("-", "")
        forms = {name, name.removesuffix("s"), name.removesuffix("es")}  # watches -> watch
        alternatives = "|".join(sorted((re.escape(f).replace(r"\ ", r"\s*") for f in forms), key=len, reverse=True))
        return re.compile(rf"\b(?:{alternatives})\b")

    @staticmethod
    def _foreground(pixels: np.ndarray) -> np.ndarray:
        return np.abs(pixels - 255.0).max(axis=2) > 12

    def _shape(self, img: Image.Image) -> np.ndarray:
        pixels = np.asarray(img.convert("RGB").resize((12, 16)), dtype=np.float32)
        mask = self._foreground(pixels).astype(np.float32)
        mask = mask + mask[:, ::-1]  # mirror-invariant
        return (mask / (np.linalg.norm(mask) + 1e-9)).ravel()

    def _finish(self, colour: np.ndarray, kind: np.ndarray) -> np.ndarray:
        vec = np.concatenate([colour, kind, [0.05]]).astype(np.float32)
        return vec / np.linalg.norm(vec)

    def encode_images(self, images, *, batch_size: int = 64) -> np.ndarray:
        out = []
        for img in images:
            pixels = np.asarray(img.convert("RGB"), dtype=np.float32)  # full size: no blending
            mask = self._foreground(pixels)
            px = pixels[mask] if mask.any() else pixels.reshape(-1, 3)
            nearest = ((px[:, None, :] - self.palette[None]) ** 2).sum(-1).argmin(1)
            hist = np.bincount(nearest, minlength=len(self.colours)).astype(np.float32)
            sims = self.centroids @ self._shape(img)
            kind = np.exp((sims - sims.max()) * 40.0)
            hist = hist**2  # the dominant fill counts, not the stripes and outline
            out.append(self._finish(hist / np.linalg.norm(hist), kind / np.linalg.norm(kind)))
            self.images_encoded += 1
        return np.stack(out) if out else np.zeros((0, self.dim), np.float32)

    def encode_texts(self, texts, *, batch_size: int = 64) -> np.ndarray:
        out = []
        for text in texts:
            words = str(text).lower().replace("-", "")
            colour = np.zeros(len(self.colours), np.float32)
            kind = np.zeros(len(self.types), np.float32)
            for pattern, i in self.colour_words:
                if pattern.search(words):
                    colour[i] = 1.0
                    words = pattern.sub(" ", words)
            for pattern, i in self.type_words:
                if pattern.search(words):
                    kind[i] = 1.0
                    words = pattern.sub(" ", words)
            colour /= max(1.0, float(np.linalg.norm(colour)))
            kind /= max(1.0, float(np.linalg.norm(kind)))
            out.append(self._finish(colour, kind))
            self.texts_encoded += 1
        return np.stack(out) if out else np.zeros((0, self.dim), np.float32)


# -- shared fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory) -> Settings:
    """A home with the demo catalogue generated and prepared (read-only for tests)."""
    from core.data.demo.generate import generate_demo
    from core.data.prepare import prepare

    settings = Settings(home=tmp_path_factory.mktemp("demo-home"))
    generate_demo(settings.demo_dir, size=DEMO_SIZE, seed=0)
    prepare(settings)
    return settings


@pytest.fixture(scope="session")
def demo_catalog(demo_settings) -> pd.DataFrame:
    return pd.read_parquet(demo_settings.catalog_parquet)


@pytest.fixture(scope="session")
def embedder(demo_catalog) -> PixelEmbedder:
    return PixelEmbedder(demo_catalog)


def fresh_home(demo_settings: Settings, path: Path) -> Settings:
    """A new home that shares the prepared demo catalogue but has no index or cache."""
    settings = Settings(home=path)
    settings.processed_dir.mkdir(parents=True)
    shutil.copy2(demo_settings.catalog_parquet, settings.catalog_parquet)
    return settings


@pytest.fixture(scope="session")
def indexed(demo_settings, embedder, tmp_path_factory) -> Settings:
    settings = fresh_home(demo_settings, tmp_path_factory.mktemp("indexed-home"))
    build_index(settings, embedder, show_progress=False)
    return settings


@pytest.fixture(scope="session")
def searcher(indexed, embedder) -> Searcher:
    return Searcher(indexed, embedder)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels: a decompression bomb's header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


def jpeg_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


# -- known answers ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, colour, article_type",
    [
        ("red t-shirt", "Red", "Tshirts"),
        ("Red T-Shirts", "Red", "Tshirts"),
        ("blue jeans", "Blue", "Jeans"),
        ("black watch", "Black", "Watches"),
        ("navy blue shirt", "Navy Blue", "Shirts"),
    ],
)
def test_known_answer_text_queries(searcher, demo_catalog, text, colour, article_type):
    expected = int(((demo_catalog.baseColour == colour) & (demo_catalog.articleType == article_type)).sum())
    assert expected >= 2, "the demo catalogue should hold a few of these"
    result = searcher.search(SearchQuery(text=text, k=10))
    top = result.hits[: min(2, expected)]
    assert [(h.base_colour, h.article_type) for h in top] == [(colour, article_type)] * len(top)
    assert result.reason is None
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)


def test_hits_carry_metadata_and_json_shape(searcher, demo_catalog):
    hit = searcher.search(SearchQuery(text="red t-shirt", k=1)).hits[0]
    row = demo_catalog.set_index("id").loc[hit.id]
    assert (hit.name, hit.gender, hit.group, hit.price, hit.image) == (
        row.productDisplayName, row.gender, row.group, row.price, row.image,
    )  # fmt: skip
    assert hit.description == row.description and hit.season == row.season
    assert list(hit.to_dict()) == ["id", "score", "name", "gender", "group", "articleType", "baseColour", "price", "image"]
    assert -1.0 <= hit.score <= 1.0001


def test_k_limits_the_number_of_hits(searcher):
    assert len(searcher.search(SearchQuery(text="shoes", k=7)).hits) == 7
    assert len(searcher.search(SearchQuery(text="shoes", k=500)).hits) == DEMO_SIZE


# -- filters ---------------------------------------------------------------------------------
def test_filters_restrict_every_hit(searcher):
    filters = Filters(gender="women", colours=("red", "Black"), min_price=500, max_price=4000)
    result = searcher.search(SearchQuery(text="heels", filters=filters, k=20))
    assert result.hits
    assert result.filters.gender == ("Women",) and result.filters.colours == ("Red", "Black")
    for hit in result.hits:
        assert hit.gender == "Women" and hit.base_colour in ("Red", "Black")
        assert 500 <= hit.price <= 4000


@pytest.mark.parametrize(
    "filters, field",
    [
        (Filters(group="bottomwear"), "group"),
        (Filters(article_type="Jeans"), "article_type"),
        (Filters(season="Winter"), "season"),
        (Filters(usage="Formal"), "usage"),
    ],
)
def test_each_filter_field(searcher, filters, field):
    result = searcher.search(SearchQuery(text="black", filters=filters, k=50))
    expected = getattr(filters, field)[0]
    assert result.hits and all(getattr(h, field) == expected for h in result.hits)


def test_unknown_filter_value_lists_valid_values(searcher):
    with pytest.raises(FashionError) as err:
        searcher.search(SearchQuery(text="shirt", filters=Filters(colours="Redd")))
    message = str(err.value)
    assert "unknown colour 'Redd'" in message and "did you mean 'Red'" in message
    assert "Navy Blue" in message  # the valid values are listed


def test_filter_that_matches_nothing_says_which(searcher):
    result = searcher.search(
        SearchQuery(text="shirt", filters=Filters(article_type="Watches", group="bottomwear"))
    )
    assert result.hits == []
    assert "group=bottomwear" in result.reason and "articleType=Watches" in result.reason


def test_price_filter_outside_the_catalogue(searcher):
    result = searcher.search(SearchQuery(text="shirt", filters=Filters(max_price=1)))
    assert result.hits == [] and result.reason == "no product matches price<=1"


def test_filter_validation_is_pure():
    vocab = Vocabulary(values={"gender": ("Men", "Women"), "baseColour": ("Red", "Navy Blue")})
    assert validate(Filters(gender="MEN", colours="navy blue,red"), vocab).colours == ("Navy Blue", "Red")
    with pytest.raises(FashionError, match="above max price"):
        validate(Filters(min_price=10, max_price=5), vocab)
    with pytest.raises(FashionError, match="valid values: Men, Women"):
        validate(Filters(gender="Kids"), vocab)
    assert where_clause(Filters()) is None
    assert where_clause(Filters(gender="Men")) == {"gender": {"$eq": "Men"}}
    assert where_clause(Filters(colours=("Red", "Blue"), max_price=9)) == {
        "$and": [{"baseColour": {"$in": ["Red", "Blue"]}}, {"price": {"$lte": 9}}]
    }


FILTER_CASES = [
    Filters(gender="Men"),
    Filters(group=("topwear", "bottomwear"), max_price=2000),
    Filters(colours=("Black", "White"), season="Summer", min_price=800),
    Filters(article_type="Jeans", colours="Blue"),  # selective: goes to Chroma's where
    Filters(usage="Sports", gender=("Women", "Unisex")),
]


@pytest.mark.parametrize("filters", FILTER_CASES, ids=lambda f: f.describe())
def test_metadata_table_agrees_with_chroma(searcher, filters):
    where = where_clause(validate(filters, searcher.vocabulary))
    chroma = searcher.collections["image"].get(where=where, include=[])["ids"]
    assert set(searcher.table.ids[searcher.table.mask(where)].tolist()) == set(chroma)


@pytest.mark.parametrize("filters", FILTER_CASES, ids=lambda f: f.describe())
@pytest.mark.parametrize("text", ["red t-shirt", "black shoes", "watch"])
def test_id_restricted_ranking_equals_chroma_where(searcher, filters, text):
    where = where_clause(validate(filters, searcher.vocabulary))
    vector = searcher.query_vector(SearchQuery(text=text))
    ours = searcher.search(SearchQuery(text=text, filters=filters, k=10)).hits
    got = searcher.collections["image"].query(
        query_embeddings=[vector], n_results=10, where=where, include=["distances"]
    )
    assert len(ours) == len(got["ids"][0]) > 0
    assert np.allclose([h.score for h in ours], [1 - d for d in got["distances"][0]], atol=1e-5)


# -- image, like, hybrid -----------------------------------------------------------------------
def test_image_query_from_unseen_picture(searcher, tmp_path):
    from core.data.demo.generate import draw_product

    picture = draw_product("Tshirts", "Red", seed="an unseen query")
    for source in (jpeg_bytes(picture), picture):
        hits = searcher.search(SearchQuery(image=source, k=2)).hits  # the demo has 2 red t-shirts
        assert [(h.base_colour, h.article_type) for h in hits] == [("Red", "Tshirts")] * 2
    path = tmp_path / "query.jpg"
    path.write_bytes(jpeg_bytes(picture))
    assert searcher.search(SearchQuery(image=path, k=1)).hits[0].article_type == "Tshirts"


def test_more_like_this_excludes_the_product(searcher, demo_catalog):
    blue_jeans = demo_catalog[(demo_catalog.articleType == "Jeans") & (demo_catalog.baseColour == "Blue")]
    assert len(blue_jeans) >= 4
    product = int(blue_jeans.id.iloc[0])
    hits = searcher.search(SearchQuery(like_id=product, k=10)).hits
    assert len(hits) == 10 and product not in [h.id for h in hits]
    assert [(h.base_colour, h.article_type) for h in hits[:3]] == [("Blue", "Jeans")] * 3


def test_more_like_unknown_product(searcher):
    with pytest.raises(FashionError, match="no product 999 in the index"):
        searcher.search(SearchQuery(like_id=999))


def test_hybrid_weight_moves_between_text_and_image(searcher):
    from core.data.demo.generate import draw_product

    picture = draw_product("Jeans", "Blue", seed="hybrid")
    text_only = searcher.search(SearchQuery(text="red dress", k=5))
    image_only = searcher.search(SearchQuery(image=picture, k=5))
    at_zero = searcher.search(SearchQuery(text="red dress", image=picture, image_weight=0.0, k=5))
    at_one = searcher.search(SearchQuery(text="red dress", image=picture, image_weight=1.0, k=5))
    assert [h.id for h in at_zero.hits] == [h.id for h in text_only.hits]
    assert [h.id for h in at_one.hits] == [h.id for h in image_only.hits]
    # "like this, but red": the type comes from the picture, red products come in from the text
    fused = searcher.search(SearchQuery(text="red", image=picture, image_weight=0.5, k=10)).hits
    assert fused[0].article_type == "Jeans"
    assert not any(h.base_colour == "Red" for h in image_only.hits)
    assert any(h.base_colour == "Red" for h in fused)


def test_description_vectors_join_the_score(searcher):
    result = searcher.search(SearchQuery(text="red t-shirt", description_weight=0.5, k=5))
    assert len(result.hits) == 5
    assert result.hits[0].base_colour == "Red" and result.hits[0].article_type == "Tshirts"
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)


# -- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query, message",
    [
        (SearchQuery(text=""), "query text is empty"),
        (SearchQuery(text="   \n\t"), "query text is empty"),
        (SearchQuery(), "nothing to search for"),
        (SearchQuery(text="shirt", k=0), "k must be"),
        (SearchQuery(text="shirt", k=10_000), "k must be"),
        (SearchQuery(text="shirt", image_weight=1.5), "image weight must be between 0 and 1"),
        (SearchQuery(image=b"", like_id=10001), "not both"),
        (SearchQuery(image=b"not an image at all"), "not an image"),
        (SearchQuery(image=b""), "empty"),
        (SearchQuery(image=png_header_only(30_000, 30_000)), "too large to decode safely"),
        (SearchQuery(image=png_header_only(7_000, 7_000)), "too large to decode safely"),
        (SearchQuery(image=Path("/nonexistent/picture.jpg")), "no image file"),
    ],
    ids=["empty", "whitespace", "nothing", "k0", "k-huge", "weight", "both", "garbage", "empty-bytes",
         "bomb-pil", "bomb-ours", "missing-file"],
)  # fmt: skip
def test_bad_queries_are_clear_errors(searcher, query, message):
    with pytest.raises(FashionError, match=message):
        searcher.search(query)


def test_text_file_and_truncated_jpeg_are_rejected(tmp_path):
    notes = tmp_path / "notes.jpg"
    notes.write_text("hello")
    with pytest.raises(FashionError, match="not an image"):
        load_query_image(notes)
    truncated = jpeg_bytes(Image.new("RGB", (64, 64), (200, 10, 10)))[:200]
    with pytest.raises(FashionError, match="damaged or truncated"):
        load_query_image(truncated)


def test_pil_decompression_bomb_error_is_caught():
    # Pillow's own guard (2x MAX_IMAGE_PIXELS) fires even with our limit raised out of the way
    with pytest.raises(FashionError, match="decompression bomb"):
        load_query_image(png_header_only(30_000, 30_000), max_pixels=10**12)


def test_missing_index_says_how_to_build_it(demo_settings, embedder, tmp_path):
    settings = fresh_home(demo_settings, tmp_path / "home")
    with pytest.raises(FashionError, match=r"python -m core index"):
        Searcher(settings, embedder)


# -- the command line ------------------------------------------------------------------------
def test_cli_search_json_and_errors(indexed, embedder, monkeypatch, capsys):
    import json

    from core.cli import main as cli, search as cli_search

    monkeypatch.setattr(cli_search, "resolve_embedder", lambda settings, model, **kw: embedder)
    home = ["--home", str(indexed.home)]
    assert cli.main(["search", "red t-shirt", "--json", "--k", "3", *home]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 3 and hits[0]["baseColour"] == "Red" and hits[0]["articleType"] == "Tshirts"

    assert cli.main(["search", "shirt", "--colour", "red,Blue", "--gender", "Men", *home]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines and all(("Red" in line or "Blue" in line) and "(Men," in line for line in lines)

    assert cli.main(["search", "shirt", "--max-price", "1", "--json", *home]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [] and "price<=1" in captured.err

    assert cli.main(["search", "shirt", "--colour", "Redd", *home]) == 2
    assert "did you mean 'Red'" in capsys.readouterr().err
    assert cli.main(["search", "  ", *home]) == 2
    assert "empty" in capsys.readouterr().err


def test_cli_without_a_model_says_how_to_get_one(indexed, capsys):
    from core.cli import main as cli

    assert cli.main(["search", "shirt", "--home", str(indexed.home)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "--model" in err


def test_cli_image_and_like(indexed, embedder, demo_catalog, monkeypatch, capsys, tmp_path):
    import json

    from core.cli import main as cli, search as cli_search
    from core.data.demo.generate import draw_product

    monkeypatch.setattr(cli_search, "resolve_embedder", lambda settings, model, **kw: embedder)
    home = ["--home", str(indexed.home)]
    picture = tmp_path / "q.jpg"
    picture.write_bytes(jpeg_bytes(draw_product("Jeans", "Blue", seed="cli")))
    assert cli.main(["search", "--image", str(picture), "--json", "-k", "2", *home]) == 0
    assert [h["articleType"] for h in json.loads(capsys.readouterr().out)] == ["Jeans", "Jeans"]
    product = int(demo_catalog.id.iloc[0])
    assert cli.main(["search", "--like", str(product), "--json", *home]) == 0
    assert product not in [h["id"] for h in json.loads(capsys.readouterr().out)]
    assert cli.main(["search", "blue", "--image", str(picture), "--weight", "0.3", *home]) == 0
    capsys.readouterr()
    assert cli.main(["search", "--image", str(tmp_path / "missing.jpg"), *home]) == 2
    assert "no image file" in capsys.readouterr().err
    assert cli.main(["search", *home]) == 2
    assert "nothing to search for" in capsys.readouterr().err


def test_text_search_rescores_the_embedding_neighbours_with_the_attribute_classifiers(built_demo_home):
    from core.model.load import load_embedder
    from core.model.registry import latest_model
    from core.index.rescore import RESCORE_CANDIDATES

    settings = Settings.from_env(env={}, home=built_demo_home)
    embedder = load_embedder(latest_model(settings), cache_dir=settings.cache_dir)
    assert embedder.scorer is not None  # trained and saved with the model by default
    embedder.scorer.weight = 0.05  # whatever valid chose on the tiny demo: the mechanics under test
    searcher = Searcher(settings, embedder)
    query = SearchQuery(text="Red Men Tshirt", k=5)
    hits = searcher.search(query).hits

    vector = searcher.query_vector(query)
    got = searcher.collections["image"].query(query_embeddings=[vector], n_results=RESCORE_CANDIDATES,
                                              include=["metadatas", "distances"])
    metas, cosine = got["metadatas"][0], 1.0 - np.asarray(got["distances"][0])
    wanted = embedder.text_attributes([query.text])[0]
    assert embedder.scorer.describe(query.text)["baseColour"] == ["Red"]
    fused = cosine + 0.05 * embedder.image_attributes([m["image"] for m in metas]) @ wanted
    order = np.argsort(-fused, kind="stable")[:5]
    assert [h.id for h in hits] == [int(metas[i]["id"]) for i in order]
    np.testing.assert_allclose([h.score for h in hits], fused[order], rtol=1e-5)

    # pictures and "more like this" rank by the embedding alone; so does a weight of 0
    assert searcher.query_attributes(SearchQuery(like_id=hits[0].id)) is None
    embedder.scorer.weight = 0.0
    assert searcher.query_attributes(query) is None
    plain = searcher.search(query).hits
    np.testing.assert_allclose([h.score for h in plain], np.sort(cosine)[::-1][:5], rtol=1e-5)
    red = [sum(h.base_colour == "Red" for h in ranked) for ranked in (hits, plain)]
    assert red[0] >= red[1] and red[0] >= 3, red  # the named colour counts more once re-scored


# -- understanding the request (core.index.understand, core.index.relax) ---------------------
@pytest.fixture(scope="session")
def demo_vocabulary(demo_catalog):
    from core.understanding import Vocabulary

    return Vocabulary.from_catalog(demo_catalog)


def test_interpret_known_answer(demo_vocabulary, searcher):
    from core.index.understand import interpret

    understood = interpret("black handbag for women under 1500", demo_vocabulary, known=searcher.vocabulary)
    assert understood.filters == Filters(gender="Women", colours="Black", article_type="Handbags", max_price=1500)
    assert understood.summary() == "Women · Black · Handbags · under ₹1,500"
    assert [(c.label, c.field) for c in understood.chips] == [
        ("Women", "gender"), ("Black", "colours"), ("Handbags", "article_type"), ("under ₹1,500", "max_price")]
    assert "handbag" in understood.text.lower() and "1500" not in understood.text
    assert understood.overridden == () and understood.notices == ()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("t-shirt for my 8 year old daughter", Filters(gender="Girls", article_type="Tshirts")),
        ("red or blue shirt above 1000", Filters(colours=("Red", "Blue"), article_type="Shirts", min_price=1000)),
        ("shoes in black", Filters(colours="Black", group="footwear")),
        ("a red shirt and blue jeans", Filters(article_type=("Shirts", "Jeans"))),  # two colours, two items: text only
        ("nike shoes", Filters(group="footwear")),  # brands stay in the embedding text
        ("zorblax", Filters()),
    ],
)
def test_interpret_maps_conservatively(demo_vocabulary, text, expected):
    from core.index.understand import interpret

    assert interpret(text, demo_vocabulary).filters == expected


def test_interpret_excluded_colour_is_the_complement(demo_vocabulary):
    from core.index.understand import interpret

    understood = interpret("shirts but not red", demo_vocabulary)
    assert "Red" not in understood.filters.colours and "Blue" in understood.filters.colours
    assert len(understood.filters.colours) == len(demo_vocabulary.colours) - 1
    assert [c.label for c in understood.chips] == ["no red", "Shirts"]


def test_typed_filters_win_and_say_so(demo_vocabulary):
    from core.index.understand import interpret

    typed = Filters(gender="Men", group="footwear")
    understood = interpret("black handbag for women under 1500", demo_vocabulary, typed)
    assert understood.filters == Filters(gender="Men", group="footwear", colours="Black", max_price=1500)
    assert [c.field for c in understood.chips] == ["colours", "max_price"]
    assert understood.overridden == (
        "The gender filter (Men) replaces “Women” from the words.",
        "The article type/group filter (Footwear) replaces “Handbags” from the words.",
    )
    same = interpret("heels", demo_vocabulary, Filters(article_type="Heels"))
    assert same.overridden == () and same.chips == () and same.filters == Filters(article_type="Heels")


def test_removing_a_chip_drops_only_that_filter(demo_vocabulary):
    from core.index.understand import interpret

    understood = interpret("black handbag for women under 1500", demo_vocabulary, Filters(season="Summer"))
    without = understood.without({"colours", "max_price"})
    assert without.filters == Filters(gender="Women", article_type="Handbags", season="Summer")
    assert [c.label for c in without.removed] == ["Black", "under ₹1,500"] and without.text == understood.text


def test_unknown_and_unstocked_words_are_notices(demo_vocabulary):
    from core.index.understand import interpret

    understood = interpret("zorblax blue jeans and a tuxedo", demo_vocabulary)
    assert any("zorblax" in n for n in understood.notices)
    assert any("tuxedo" in n for n in understood.notices)


def test_literal_query_is_unchanged():
    from core.index.understand import Interpretation

    literal = Interpretation.literal("black handbag for women under 1500", Filters(gender="Men"))
    assert literal.text == "black handbag for women under 1500"
    assert literal.filters == Filters(gender="Men") and literal.chips == () and literal.request is None


def test_relax_steps_order(demo_vocabulary):
    from core.index.relax import RELAX_ORDER, relax_steps
    from core.index.understand import interpret

    understood = interpret("red t-shirts for men under 500", demo_vocabulary)
    steps = relax_steps(understood.words, {c.field: c.label for c in understood.chips})
    assert [label for label, _ in steps] == ["colour Red", "Tshirts → Topwear", "price under ₹500", "group Topwear"]
    assert len(RELAX_ORDER) == 4
    assert [f for _, f in steps] == [
        Filters(gender="Men", article_type="Tshirts", max_price=500),
        Filters(gender="Men", group="topwear", max_price=500),
        Filters(gender="Men", group="topwear"),
        Filters(gender="Men"),  # gender is never relaxed
    ]


def test_no_exact_match_relaxes_and_says_so(searcher, demo_vocabulary, demo_catalog):
    from core.index.relax import search_understood
    from core.index.understand import interpret

    # the demo's black handbags all cost more than 1500; two other women's handbags do not
    understood = interpret("black handbag for women under 1500", demo_vocabulary, known=searcher.vocabulary)
    found = search_understood(searcher, understood, SearchQuery(text="ignored", k=5))
    assert found.exact == 0 and len(found.hits) == 5
    assert found.relaxed[0] == "colour Black"
    assert found.notice.startswith("No black handbags for women under ₹1,500 in the catalogue; showing the closest: ")
    assert found.relaxed == ("colour Black", "Handbags → Bags & wallets", "price under ₹1,500")
    assert not found.exact_match and found.misses[0] and all(found.misses)
    shown = [(h.article_type, h.gender, h.price <= 1500, h.base_colour == "Black") for h in found.hits]
    assert shown[:2] == [("Handbags", "Women", True, False)] * 2  # colour relaxed first: the cheap handbags
    assert shown[2:] == [("Handbags", "Women", False, True)] * 3  # then price: black ones, by the embedding


def test_fewer_than_k_exact_hits_come_first(searcher, demo_vocabulary):
    from core.index.relax import search_understood
    from core.index.understand import interpret

    understood = interpret("red t-shirt", demo_vocabulary, known=searcher.vocabulary)
    found = search_understood(searcher, understood, SearchQuery(text="x", k=6))
    assert found.exact == 2 and len(found.hits) == 6 and found.relaxed == ("colour Red",)
    assert [(h.base_colour, h.article_type) for h in found.hits[:2]] == [("Red", "Tshirts")] * 2
    assert found.notice.startswith("Only 2 exact matches for red t-shirts (shown first); then the closest: ")
    assert found.misses[:2] == ("", "") and all(m.endswith(", not Red") for m in found.misses[2:])


def test_typed_filters_are_never_relaxed(searcher, demo_vocabulary):
    from core.index.relax import search_understood
    from core.index.understand import interpret

    understood = interpret("red shirt", demo_vocabulary, Filters(max_price=1), known=searcher.vocabulary)
    found = search_understood(searcher, understood, SearchQuery(text="x", k=5))
    assert found.hits == [] and found.relaxed == () and found.result.reason == "no product matches price<=1"
    assert found.empty == "no product has price up to ₹1" and found.notice is None


def test_results_without_the_asked_type_say_no_exact_match(searcher, demo_vocabulary):
    from core.index.relax import search_understood
    from core.index.understand import interpret

    # the person removed the "Tshirts" chip and the sidebar asked for shirts: no hit is a red t-shirt
    understood = interpret("red t-shirt", demo_vocabulary, Filters(article_type="Shirts"), known=searcher.vocabulary)
    found = search_understood(searcher, understood.without({"colours"}), SearchQuery(text="x", k=3))
    assert found.hits and all(h.article_type == "Shirts" for h in found.hits)
    assert found.notice.startswith("No t-shirts with the filters Article type: Shirts; showing the closest: ")
    assert set(found.misses) == {"Shirts, not Tshirts"} and not found.exact_match


def test_cli_search_understands_the_words(indexed, embedder, monkeypatch, capsys):
    import json

    from core.cli import main as cli, search as cli_search

    monkeypatch.setattr(cli_search, "resolve_embedder", lambda settings, model, **kw: embedder)
    home = ["--home", str(indexed.home)]
    assert cli.main(["search", "black handbag for women under 1500", "--json", "-k", "4", *home]) == 0
    captured = capsys.readouterr()
    hits = json.loads(captured.out)
    assert len(hits) == 4 and all(list(h) == ["id", "score", "name", "gender", "group", "articleType", "baseColour",
                                              "price", "image"] for h in hits)
    lines = captured.err.splitlines()
    assert lines[0] == "understood: Women · Black · Handbags · under ₹1,500"
    assert lines[1].startswith("relaxed: No black handbags for women under ₹1,500 in the catalogue")

    assert cli.main(["search", "black handbag for women", "--gender", "Men", "--json", *home]) == 0
    assert "note: The gender filter (Men) replaces “Women” from the words." in capsys.readouterr().err.splitlines()

    assert cli.main(["search", "red t-shirt for men", "--literal", "--json", "-k", "5", *home]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and len(json.loads(captured.out)) == 5
    assert any(h["gender"] != "Men" for h in json.loads(captured.out))  # the words filter nothing


# -- exact matches, near misses and filters in words (core.index.relax, core.index.labels) ----
@pytest.mark.parametrize(
    "filters, words",
    [
        (Filters(), "none"),
        (Filters(group="bags"), "Group: Bags & wallets"),
        (Filters(gender="Men", colours=("Red", "Navy Blue"), max_price=1500),
         "Gender: Men · Colour: Red or Navy Blue · Price: up to ₹1,500"),
        (Filters(min_price=500, max_price=150000), "Price: ₹500 – ₹1,50,000"),
        (Filters(min_price=500, tags=("été", "picks")), "Price: from ₹500 · Tag: été or picks"),
    ],
)
def test_filters_in_words_show_labels_not_keys(filters, words):
    from core.index.labels import describe_filters

    assert describe_filters(filters) == words
    assert "=" not in words and "bags" not in words.split()


def test_empty_result_names_the_filter_in_words(searcher):
    both = Filters(article_type="Watches", group="bottomwear")
    assert searcher.why_empty(both) == "no product has both Group Bottomwear and Article type Watches"
    assert searcher.why_empty(Filters(colours="red", max_price=1)) == "no product has price up to ₹1"
    assert searcher.search(SearchQuery(text="x", filters=both)).reason.startswith("no product matches")  # the CLI's keys


@pytest.mark.parametrize("article_type, plural", [("Tshirts", "t-shirts"), ("Watches", "watches"),
                                                   ("Heels", "heels"), ("Scarves", "scarves"), ("Clutches", "clutches")])
def test_plural_nouns(article_type, plural):
    from core.index.relax import plural as plural_of

    assert plural_of(article_type) == plural


def test_a_near_miss_says_how_it_differs():
    from core.data.product import Product
    from core.index.relax import Asked

    asked = Asked(gender=("Women",), colours=("Black",), types=("Handbags",), max_price=1500)
    assert asked.phrase() == "black handbags for women under ₹1,500"
    product = Product(id=1, name="Bag", gender="Women", group="bags", article_type="Clutches", base_colour="Brown",
                      price=1899, image="")
    assert asked.misses(product) == ["Brown, not Black", "Clutches, not Handbags", "₹1,899, over ₹1,500"]
    exact = Product(id=2, name="Bag", gender="Women", group="bags", article_type="Handbags", base_colour="Black",
                    price=999, image="")
    assert asked.misses(exact) == []
    assert Asked(colours=("Red",), colour_label="no red").phrase() == "products (no red)"
    assert Asked(groups=("footwear",), min_price=500).phrase() == "footwear above ₹500"
    assert Asked().is_empty and Asked().misses(product) == []


def test_all_exact_results_raise_no_notice(searcher, demo_vocabulary):
    from core.index.relax import search_understood
    from core.index.understand import Interpretation, interpret

    understood = interpret("blue jeans", demo_vocabulary, known=searcher.vocabulary)
    found = search_understood(searcher, understood, SearchQuery(text="x", k=3))
    assert found.exact_match and found.notice is None and found.misses == ("", "", "")
    assert [(h.base_colour, h.article_type) for h in found.hits] == [("Blue", "Jeans")] * 3

    literal = search_understood(searcher, Interpretation.literal("red"), SearchQuery(text="red", k=3))
    assert literal.exact_match and literal.notice is None  # nothing was understood, nothing to match
