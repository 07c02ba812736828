"""Searching the index: text, image, "more like this" and fused queries, with filters.

``Searcher(settings, embedder).search(SearchQuery(...)) -> SearchResult`` is the one entry point the
CLI, the dashboard and the stylist share. Plain dataclasses in and out.

How a query becomes a ranking:
- one query vector: the text embedding, the image embedding (an uploaded/pathed image, or the
  stored image vector of ``like_id``), or, when both a text and a picture are given, their
  weighted sum ``(1 - image_weight) * text + image_weight * picture``, re-normalised. Fusing
  vectors (rather than two rankings) keeps a hybrid query to one filtered ANN call;
- ranked against the products' image vectors (cosine, score = 1 - distance). With
  ``description_weight > 0`` the description vectors contribute to the score as well:
  ``(1 - d) * cos(q, image) + d * cos(q, description)``, computed exactly over the union of both
  collections' candidates;
- filters become a Chroma ``where`` clause ("more like this" adds one excluding the product).
  The clause is evaluated on an in-memory copy of the index metadata (``MetadataTable``, loaded
  on the first filtered query, ~1 s for 9,375 products; a test checks it selects exactly what
  Chroma's ``where`` selects) and the matching ids restrict the Chroma query (``ids=``). Why:
  Chroma 1.5.9 pays per record matched by each clause of a ``where`` (measured on 9,375
  products: 11-75 ms for typical filters), while the same query restricted by ``ids`` returns
  the same top-k in 3-5 ms whatever the selectivity. It also gives exact match counts for free:
  no match means an empty result with its reason and no store call. Trade-off: the table can lag
  a concurrent re-index until ``refresh()``.
- curation tags (``Filters.tags``, OR within) are not index metadata: they are read from the
  curation store (``CurationStore.ids_with_tags``) at each query, so a tag added a second ago
  counts, and intersected with the ids the metadata clauses allow. An unknown tag is a
  ``FashionError`` that lists the tags in use.

A query is encoded with one intra-op torch thread (when torch is loaded): a batch of one gains
nothing from parallelism on our 2 shared cores and loses badly when they are busy (measured under
load: text encoding p50 22 ms with one thread, 115-195 ms with two). The switch is process-global,
so it is taken under a lock and the previous value restored.

Bad input never crashes: empty text, a file that is not an image, a decompression bomb, an unknown
filter value or a missing index each raise a ``FashionError`` that says what to do.
"""

from __future__ import annotations

import io
import sys
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, UnidentifiedImageError

from core.config import Settings
from core.model.embedder import Embedder
from core.errors import FashionError
from core.index.filters import (
    Filters,
    MetadataTable,
    Vocabulary,
    combine,
    explain_empty,
    validate,
    where_clause,
)
from core.index.build import read_manifest
from core.index.store import collection_name, get_existing, open_client, read_all, store_location

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

MAX_QUERY_PIXELS = 40_000_000  # ~6300 x 6300: far above any photo we need, far below a bomb
MAX_QUERY_BYTES = 25 * 1024 * 1024
MAX_K = 500
CANDIDATE_FACTOR = 4  # candidates per side when the description vectors join the score
RESCORE_CANDIDATES = 200  # embedding neighbours re-scored by a model's attribute classifiers

ImageSource = Image.Image | bytes | bytearray | str | Path


# -- values ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchQuery:
    """One search. Give ``text``, a picture (``image`` or ``like_id``), or a text and a picture.

    Example: ``SearchQuery(text="red t-shirt", filters=Filters(gender="Men"), k=5)``.
    """

    text: str | None = None
    image: ImageSource | None = None
    like_id: int | None = None
    image_weight: float = 0.5
    description_weight: float = 0.0
    filters: Filters = field(default_factory=Filters)
    k: int = 10


@dataclass(frozen=True)
class Hit:
    """One product in a result, best first; ``score`` is the cosine similarity."""

    id: int
    score: float
    name: str
    gender: str
    group: str
    article_type: str
    base_colour: str
    price: int
    image: str
    description: str = ""
    master_category: str = ""
    sub_category: str = ""
    season: str = ""
    usage: str = ""
    year: int | None = None

    @classmethod
    def from_metadata(cls, meta: dict, score: float) -> "Hit":
        return cls(
            id=int(meta["id"]),
            score=float(score),
            name=str(meta.get("name", "")),
            gender=str(meta.get("gender", "")),
            group=str(meta.get("group", "")),
            article_type=str(meta.get("articleType", "")),
            base_colour=str(meta.get("baseColour", "")),
            price=int(meta.get("price", 0)),
            image=str(meta.get("image", "")),
            description=str(meta.get("description", "")),
            master_category=str(meta.get("masterCategory", "")),
            sub_category=str(meta.get("subCategory", "")),
            season=str(meta.get("season", "")),
            usage=str(meta.get("usage", "")),
            year=meta.get("year"),
        )

    def to_dict(self) -> dict:
        """The ``--json`` shape."""
        return {
            "id": self.id,
            "score": round(self.score, 6),
            "name": self.name,
            "gender": self.gender,
            "group": self.group,
            "articleType": self.article_type,
            "baseColour": self.base_colour,
            "price": self.price,
            "image": self.image,
        }


@dataclass(frozen=True)
class SearchResult:
    """The hits, best first; when there are none, ``reason`` says why."""

    hits: list[Hit]
    query: SearchQuery
    filters: Filters
    reason: str | None = None

    def to_dicts(self) -> list[dict]:
        return [hit.to_dict() for hit in self.hits]


# -- input safety ----------------------------------------------------------------------------
def load_query_image(source: ImageSource, *, max_pixels: int = MAX_QUERY_PIXELS) -> Image.Image:
    """An RGB image from a PIL image, raw bytes (an upload) or a path; FashionError if unsafe.

    The pixel count is checked from the header, before any pixel is decoded.
    """
    if isinstance(source, Image.Image):
        _check_pixels(source.size, "the image", max_pixels)
        return source.convert("RGB")
    if isinstance(source, (bytes, bytearray, memoryview)):
        label = "the uploaded file"
        if len(source) == 0:
            raise FashionError("the uploaded file is empty")
        if len(source) > MAX_QUERY_BYTES:
            raise FashionError(f"{label} is larger than {MAX_QUERY_BYTES // 2**20} MB")
        stream = io.BytesIO(bytes(source))
    elif isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        label = str(path)
        if not path.is_file():
            raise FashionError(f"no image file at {path}")
        if path.stat().st_size > MAX_QUERY_BYTES:
            raise FashionError(f"{label} is larger than {MAX_QUERY_BYTES // 2**20} MB")
        stream = io.BytesIO(path.read_bytes())
    else:
        raise FashionError(f"cannot read an image from a {type(source).__name__}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(stream) as img:
                _check_pixels(img.size, label, max_pixels)
                img.load()
                return img.convert("RGB")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise FashionError(
                f"{label} is too large to decode safely (possible decompression bomb)"
            ) from None
        except UnidentifiedImageError:
            raise FashionError(f"{label} is not an image PIL can read (JPEG, PNG, WebP...)") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise FashionError(f"{label} is a damaged or truncated image ({exc})") from None


def _check_pixels(size: tuple[int, int], label: str, max_pixels: int) -> None:
    width, height = size
    if width * height > max_pixels:
        raise FashionError(
            f"{label} is {width}x{height} pixels, too large to decode safely "
            f"(limit {max_pixels:,} pixels)"
        )
    if width == 0 or height == 0:
        raise FashionError(f"{label} has no pixels")


_TORCH_THREADS_LOCK = threading.Lock()


@contextmanager
def single_intra_op_thread():
    """Run the body with one torch intra-op thread (no-op when torch is not loaded)."""
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    with _TORCH_THREADS_LOCK:
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(before)


def _normalise(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(vector))
    if not np.isfinite(norm) or norm == 0.0:
        raise FashionError("the query has no usable content (its embedding is zero)")
    return vector / norm


# -- the searcher ----------------------------------------------------------------------------
class Searcher:
    """Queries the index built for ``embedder.version``; cheap to call, so build one and reuse it."""

    def __init__(self, settings: Settings, embedder: Embedder, *, client: "ClientAPI | None" = None):
        self.settings = settings
        self.embedder = embedder
        self.location = store_location(settings)
        self.client = client or open_client(settings, location=self.location)
        self.refresh()

    def refresh(self) -> None:
        """Re-open the collections and the manifest (after a re-index or a restore)."""
        version, home = self.embedder.version, self.settings.home
        names = {kind: collection_name(version, kind) for kind in ("image", "text")}
        self.collections = {kind: get_existing(self.client, name) for kind, name in names.items()}
        self.manifest = read_manifest(self.collections["image"])
        if self.collections["image"] is None or self.collections["text"] is None:
            raise FashionError(
                f"no index for model {version} in the {self.location.describe()}; "
                f"build it with `python -m core index --home {home}`"
            )
        if not self.manifest or self.manifest.get("status") != "complete":
            raise FashionError(
                f"the index for model {version} is incomplete (an interrupted run?); "
                f"finish it with `python -m core index --home {home}`"
            )
        self.vocabulary = Vocabulary.from_dict(self.manifest.get("vocabulary", {}))
        self._table: MetadataTable | None = None
        self._blocks: dict[str, np.ndarray] = {}  # image path -> the scorer's image block, computed once

    @property
    def table(self) -> MetadataTable:
        """Every product's metadata in memory (loaded once, on first use)."""
        if self._table is None:
            got = read_all(self.collections["image"], include=("metadatas",))
            self._table = MetadataTable([dict(m or {}) for m in got["metadatas"]])
        return self._table

    # public ----------------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResult:
        validate(query.filters, self.vocabulary)  # an unknown value fails before any encoding
        self._resolve_tags(query.filters)  # so does an unknown curation tag
        self._check(query)
        vector = self.query_vector(query)
        return self.search_vector(
            vector,
            filters=query.filters,
            k=query.k,
            exclude_id=query.like_id,
            description_weight=query.description_weight,
            query=query,
            attributes=self.query_attributes(query),
        )

    def search_vector(
        self,
        vector: np.ndarray,
        *,
        filters: Filters = Filters(),
        k: int = 10,
        exclude_id: int | None = None,
        description_weight: float = 0.0,
        query: SearchQuery | None = None,
        attributes: np.ndarray | None = None,
    ) -> SearchResult:
        """Rank the products for an already-encoded, normalised query vector.

        ``attributes`` (from :meth:`query_attributes`) re-scores the embedding's nearest
        :data:`RESCORE_CANDIDATES` products with the model's attribute classifiers.
        """
        filters = self._resolve_tags(validate(filters, self.vocabulary))
        extra = [{"id": {"$ne": int(exclude_id)}}] if exclude_id is not None else []
        where = where_clause(filters, extra=extra)
        ids = None if where is None else self.table.ids[self.table.mask(where)].tolist()
        if filters.tags:  # curation tags live in the curation store, not in the index metadata
            tagged = self._tagged_ids(filters.tags)
            ids = [i for i in (self.table.ids.tolist() if ids is None else ids) if i in tagged]
        if ids is not None and not ids:
            hits = []
        elif description_weight > 0:
            hits = self._fused_ranking(vector, k, description_weight, ids=ids, attributes=attributes)
        else:
            hits = self._ranking(vector, k, ids=ids, attributes=attributes)
        reason = None if hits else self._why_empty(filters, extra)
        query = query or SearchQuery(filters=filters, k=k, like_id=exclude_id)
        return SearchResult(hits=hits, query=query, filters=filters, reason=reason)

    def query_vector(self, query: SearchQuery) -> np.ndarray:
        """The normalised vector a query is ranked with (exposed for the embedding map)."""
        text_vec = picture_vec = None
        if query.text is not None:
            with single_intra_op_thread():
                encoded = self.embedder.encode_texts([query.text.strip()])
            text_vec = _normalise(encoded[0])
        if query.image is not None:
            image = load_query_image(query.image)
            with single_intra_op_thread():
                encoded = self.embedder.encode_images([image])
            picture_vec = _normalise(encoded[0])
        elif query.like_id is not None:
            picture_vec = _normalise(self.product_vector(query.like_id))
        if text_vec is not None and picture_vec is not None:
            w = float(query.image_weight)
            return _normalise((1.0 - w) * text_vec + w * picture_vec)
        return text_vec if text_vec is not None else picture_vec

    def query_attributes(self, query: SearchQuery) -> np.ndarray | None:
        """What a text-only query asks for (brand, colour, type, gender: see core.model.attributes),
        when the model has an attribute scorer; None otherwise (plain cosine ranking)."""
        scorer = getattr(self.embedder, "scorer", None)
        if scorer is None or scorer.weight <= 0 or query.text is None or query.image is not None or query.like_id is not None:
            return None
        with single_intra_op_thread():
            return self.embedder.text_attributes([query.text.strip()])[0]

    def _rescore(self, metadatas: list[dict], scores: np.ndarray, attributes: np.ndarray | None) -> np.ndarray:
        if attributes is None or not metadatas:
            return scores
        paths = [str(m.get("image", "")) for m in metadatas]
        missing = [p for p in dict.fromkeys(paths) if p not in self._blocks]
        if missing:
            with single_intra_op_thread():
                self._blocks.update(zip(missing, self.embedder.image_attributes(missing)))
        blocks = np.stack([self._blocks[p] for p in paths])
        return scores + self.embedder.scorer.weight * (blocks @ attributes)

    def product_vector(self, product_id: int, kind: str = "image") -> np.ndarray:
        got = self.collections[kind].get(ids=[str(int(product_id))], include=["embeddings"])
        if not got["ids"]:
            raise FashionError(f"no product {product_id} in the index")
        return np.asarray(got["embeddings"][0], dtype=np.float32)

    def get_product(self, product_id: int) -> Hit | None:
        got = self.collections["image"].get(ids=[str(int(product_id))], include=["metadatas"])
        return Hit.from_metadata(got["metadatas"][0], 1.0) if got["ids"] else None

    # internals -------------------------------------------------------------------------------
    def _resolve_tags(self, filters: Filters) -> Filters:
        """``filters`` with its tags in their stored spelling; FashionError for an unknown tag."""
        if not filters.tags:
            return filters
        from core.curation.store import CurationStore

        return replace(filters, tags=CurationStore(self.settings.curation_db).check_tags(filters.tags))

    def _tagged_ids(self, tags: tuple[str, ...]) -> set[str]:
        """Ids (as the index stores them) of the products carrying any of ``tags``, read now."""
        from core.curation.store import CurationStore

        return {str(i) for i in CurationStore(self.settings.curation_db).ids_with_tags(tags)}

    def _check(self, query: SearchQuery) -> None:
        if query.text is not None and not str(query.text).strip():
            raise FashionError("the query text is empty")
        if query.image is not None and query.like_id is not None:
            raise FashionError("give an image or a product to match (--like), not both")
        if query.text is None and query.image is None and query.like_id is None:
            raise FashionError("nothing to search for: give a text, an image or --like ID")
        if isinstance(query.k, bool) or not isinstance(query.k, int) or not 1 <= query.k <= MAX_K:
            raise FashionError(f"k must be a whole number from 1 to {MAX_K}, got {query.k!r}")
        for name in ("image_weight", "description_weight"):
            value = getattr(query, name)
            if not 0.0 <= float(value) <= 1.0:
                raise FashionError(f"{name.replace('_', ' ')} must be between 0 and 1, got {value}")

    def _ranking(self, vector: np.ndarray, k: int, *, ids: list[str] | None = None,
                 attributes: np.ndarray | None = None) -> list[Hit]:
        """Top ``k`` image vectors for ``vector``, among ``ids`` when given (re-scored with ``attributes``)."""
        n = k
        if attributes is not None:
            n = max(k, min(RESCORE_CANDIDATES, len(ids) if ids is not None else self.collections["image"].count()))
        got = self.collections["image"].query(
            query_embeddings=[vector], n_results=n, ids=ids, include=["metadatas", "distances"]
        )
        metas = got["metadatas"][0]
        scores = self._rescore(metas, 1.0 - np.asarray(got["distances"][0], dtype=np.float64), attributes)
        order = np.argsort(-scores, kind="stable")[:k]
        return [Hit.from_metadata(metas[i], scores[i]) for i in order]

    def _fused_ranking(
        self, vector: np.ndarray, k: int, d: float, *, ids: list[str] | None = None, attributes: np.ndarray | None = None
    ) -> list[Hit]:
        n = min(MAX_K * CANDIDATE_FACTOR, k * CANDIDATE_FACTOR)
        if attributes is not None:
            n = max(n, RESCORE_CANDIDATES)
        candidates: dict[str, dict] = {}
        for col in self.collections.values():
            got = col.query(query_embeddings=[vector], n_results=n, ids=ids, include=["metadatas"])
            candidates.update(zip(got["ids"][0], got["metadatas"][0]))
        if not candidates:
            return []
        keys = list(candidates)
        scores = np.zeros(len(keys), dtype=np.float64)
        for kind, share in (("image", 1.0 - d), ("text", d)):
            got = self.collections[kind].get(ids=keys, include=["embeddings"])
            by_id = dict(zip(got["ids"], got["embeddings"]))
            matrix = np.stack([np.asarray(by_id[i], dtype=np.float32) for i in keys])
            scores += share * (matrix @ vector)
        scores = self._rescore([candidates[i] for i in keys], scores, attributes)
        order = np.argsort(-scores, kind="stable")[:k]
        return [Hit.from_metadata(candidates[keys[i]], scores[i]) for i in order]

    def _why_empty(self, filters: Filters, extra: list[dict]) -> str:
        def matches(where: dict | None) -> bool:
            return self.table.count(where) > 0

        if filters.tags:
            label = f"tag={'|'.join(filters.tags)}"
            candidates = set(self.table.ids[self.table.mask(combine(extra))].tolist())
            if not candidates & self._tagged_ids(filters.tags):
                return f"no {'other ' if extra else ''}product in the index carries {label}"
            rest = replace(filters, tags=())
            if not matches(where_clause(rest, extra=extra)):
                return self._why_empty(rest, extra)
            return f"no product with {label} matches {rest.describe()}"

        if filters.is_empty:
            return "no other product in the index" if extra else "the index is empty"
        if extra and matches(where_clause(filters)):
            return f"only the product itself matches {filters.describe()}"
        return explain_empty(filters, matches)
