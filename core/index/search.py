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
  a concurrent re-index until ``refresh()``. Loading the table costs about a second, which a
  one-off search (the command line) would spend on a single query, so a searcher's first
  :data:`TABLE_AFTER` filter look-ups ask Chroma's ``where`` for the matching ids instead (the same
  ids, tens of milliseconds each) and only then loads the table.
- curation tags (``Filters.tags``, OR within) are not index metadata: they are read at each query
  from the ``TagSource`` the caller hands the searcher (the CLI and the dashboard pass the
  curation store; the index layer sits below curation and never imports it), so a tag added a
  second ago counts, and intersected with the ids the metadata clauses allow. An unknown tag is a
  ``FashionError`` that lists the tags in use.
- a Chroma server that stops answering is a ``ServerUnavailableError`` naming it, from any public
  method (``_talks_to_store``); the same searcher works again once the server is back.

Query values and input safety live in ``core.index.query``, the attribute re-scoring in
``core.index.rescore``; a hit is a ``core.data.product.Product`` with its score.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

import numpy as np

from core.config import Settings
from core.data.product import Product
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
from core.index.labels import describe_filters, explain_empty_in_words
from core.index.manifest import read_manifest
from core.index.query import (
    MAX_K,
    SearchQuery,
    check_query,
    load_query_image,
    unit_vector,
)
from core.index.rescore import RESCORE_CANDIDATES, AttributeRescorer
from core.model.threads import single_intra_op_thread
from core.index.store import (
    collection_name,
    get_existing,
    open_client,
    read_all,
    server_errors,
    store_location,
)
from core.model.embedder import Embedder

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

CANDIDATE_FACTOR = 4  # candidates per side when the description vectors join the score
TABLE_AFTER = 16  # filter look-ups answered by Chroma's `where` (10-55 ms each) before the table (~1 s) loads
_NO_FILTERS = Filters()  # the default of search_vector; Filters is frozen, so one shared instance is safe


# -- values ----------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Hit(Product):
    """One product in a result, best first; ``score`` is the cosine similarity (re-scored when the
    model has attribute classifiers). Example: ``Hit.from_metadata(meta, score=0.87)``."""

    score: float

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


class TagSource(Protocol):
    """Where curation tags live (``core.curation.store.CurationStore`` is one)."""

    def check_tags(self, tags: Iterable[str]) -> tuple[str, ...]:
        """``tags`` in their stored spelling; FashionError naming the tags in use for an unknown one."""

    def ids_with_tags(self, tags: Iterable[str]) -> set[int]:
        """Products carrying any of ``tags``."""


# -- the searcher ----------------------------------------------------------------------------
def _talks_to_store(method):
    """A ``Searcher`` method whose lost server connection becomes ``ServerUnavailableError``."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        with server_errors(self.location):
            return method(self, *args, **kwargs)

    return guarded


class Searcher:
    """Queries the index built for ``embedder.version``; cheap to call, so build one and reuse it.

    ``tag_source`` opens the store of curation tags (e.g. ``functools.partial(CurationStore,
    settings.curation_db)``); it is called at each query that filters by tag, so a store that is
    never needed is never opened. Without one, a tag filter is a ``FashionError``.
    """

    def __init__(self, settings: Settings, embedder: Embedder, *, client: "ClientAPI | None" = None,
                 tag_source: Callable[[], TagSource] | None = None):
        self.settings = settings
        self.embedder = embedder
        self.tag_source = tag_source
        self.location = store_location(settings)
        self.client = client or open_client(settings, location=self.location)
        self.refresh()

    @_talks_to_store
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
        # the image collection's size caps the re-scoring candidates; read once here, not per query
        # (a count is a 2 ms round trip); Chroma itself returns fewer if the collection shrank since
        self._image_count = self.collections["image"].count()
        self._table: MetadataTable | None = None
        self._lookups = 0  # filter look-ups answered by Chroma so far (see TABLE_AFTER)
        self.rescorer = AttributeRescorer(self.embedder, reindex=f"python -m core index --home {home}")

    @property
    @_talks_to_store
    def table(self) -> MetadataTable:
        """Every product's metadata in memory (loaded once, on first use)."""
        if self._table is None:
            self.preload()
        return self._table

    @_talks_to_store
    def preload(self) -> None:
        """Read every product's metadata once (filter table, stored attribute blocks: ~0.6 s on 9,375) for later queries."""
        got = read_all(self.collections["image"], include=("metadatas",))
        metas = [dict(m or {}) for m in got["metadatas"]]
        self._table = MetadataTable(metas)
        self.rescorer.remember(got["ids"], metas)

    # public ----------------------------------------------------------------------------------
    @_talks_to_store
    def search(self, query: SearchQuery) -> SearchResult:
        validate(query.filters, self.vocabulary)  # an unknown value fails before any encoding
        self._resolve_tags(query.filters)  # so does an unknown curation tag
        check_query(query)
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

    @_talks_to_store
    def search_vector(
        self,
        vector: np.ndarray,
        *,
        filters: Filters = _NO_FILTERS,
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
        ids = None if where is None else self._matching_ids(where)
        if filters.tags:  # curation tags live in the curation store, not in the index metadata
            tagged = self._tagged_ids(filters.tags)
            ids = [i for i in (self._matching_ids(None) if ids is None else ids) if i in tagged]
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
            text_vec = unit_vector(encoded[0])
        if query.image is not None:
            image = load_query_image(query.image)
            with single_intra_op_thread():
                encoded = self.embedder.encode_images([image])
            picture_vec = unit_vector(encoded[0])
        elif query.like_id is not None:
            picture_vec = unit_vector(self.product_vector(query.like_id))
        if text_vec is not None and picture_vec is not None:
            w = float(query.image_weight)
            return unit_vector((1.0 - w) * text_vec + w * picture_vec)
        return text_vec if text_vec is not None else picture_vec

    @property
    def notices(self) -> list[str]:
        """What a user should know about the searches so far (e.g. re-scoring without stored
        attribute blocks is slow, and how to fix it); empty when all went as designed."""
        return [self.rescorer.notice] if self.rescorer.notice else []

    def query_attributes(self, query: SearchQuery) -> np.ndarray | None:
        """What a text-only query asks for (see :class:`core.index.rescore.AttributeRescorer`);
        None when the ranking is plain cosine."""
        return self.rescorer.query_attributes(query)

    @_talks_to_store
    def product_vector(self, product_id: int, kind: str = "image") -> np.ndarray:
        got = self.collections[kind].get(ids=[str(int(product_id))], include=["embeddings"])
        if not got["ids"]:
            raise FashionError(f"no product {product_id} in the index")
        return np.asarray(got["embeddings"][0], dtype=np.float32)

    @_talks_to_store
    def get_product(self, product_id: int) -> Product | None:
        got = self.collections["image"].get(ids=[str(int(product_id))], include=["metadatas"])
        return Product.from_metadata(got["metadatas"][0]) if got["ids"] else None

    # internals -------------------------------------------------------------------------------
    def _tags(self) -> TagSource:
        if self.tag_source is None:
            raise FashionError("this searcher has no curation tag store, so it cannot filter by tag")
        return self.tag_source()

    def _resolve_tags(self, filters: Filters) -> Filters:
        """``filters`` with its tags in their stored spelling; FashionError for an unknown tag."""
        if not filters.tags:
            return filters
        return replace(filters, tags=self._tags().check_tags(filters.tags))

    def _tagged_ids(self, tags: tuple[str, ...]) -> set[str]:
        """Ids (as the index stores them) of the products carrying any of ``tags``, read now."""
        return {str(i) for i in self._tags().ids_with_tags(tags)}

    def _matching_ids(self, where: dict | None) -> list[str]:
        """Ids (as the index stores them) of the products ``where`` selects (None: all of them)."""
        if self._table is None and self._lookups < TABLE_AFTER:
            self._lookups += 1
            return list(self.collections["image"].get(where=where, include=[])["ids"])
        return self.table.ids[self.table.mask(where)].tolist()

    def _ranking(self, vector: np.ndarray, k: int, *, ids: list[str] | None = None,
                 attributes: np.ndarray | None = None) -> list[Hit]:
        """Top ``k`` image vectors for ``vector``, among ``ids`` when given (re-scored with ``attributes``)."""
        if attributes is None:
            got = self.collections["image"].query(
                query_embeddings=[vector], n_results=k, ids=ids, include=["metadatas", "distances"]
            )
            metas = got["metadatas"][0]
            scores = 1.0 - np.asarray(got["distances"][0], dtype=np.float64)
            return [Hit.from_metadata(meta, score=float(score)) for meta, score in zip(metas, scores)]
        # re-scored: the candidates' metadata costs ~60 us a product to read from Chroma (12 ms for
        # 200), so only their ids and distances are asked for; their blocks come from the rescorer's
        # memo, and only the top k's metadata is read
        n = max(k, min(RESCORE_CANDIDATES, len(ids) if ids is not None else self._image_count))
        got = self.collections["image"].query(query_embeddings=[vector], n_results=n, ids=ids, include=["distances"])
        keys = list(got["ids"][0])
        cosine = 1.0 - np.asarray(got["distances"][0], dtype=np.float64)
        scores = self.rescorer.rescore_ids(keys, cosine, attributes, self._metadatas)
        order = np.argsort(-scores, kind="stable")[:k]
        metas = self._metadatas([keys[i] for i in order])
        return [Hit.from_metadata(metas[keys[i]], score=float(scores[i])) for i in order if keys[i] in metas]

    def _metadatas(self, ids: list[str]) -> dict[str, dict]:
        """id -> stored image metadata, read now (never from the table, which may lag a re-index)."""
        got = self.collections["image"].get(ids=list(ids), include=["metadatas"])
        return {i: dict(meta or {}) for i, meta in zip(got["ids"], got["metadatas"])}

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
            blocks = kind == "image" and attributes is not None  # the image side's metadata carries them
            got = self.collections[kind].get(ids=keys, include=["embeddings", "metadatas"] if blocks else ["embeddings"])
            by_id = dict(zip(got["ids"], got["embeddings"]))
            matrix = np.stack([np.asarray(by_id[i], dtype=np.float32) for i in keys])
            scores += share * (matrix @ vector)
            if blocks:
                candidates.update(zip(got["ids"], got["metadatas"]))
        scores = self.rescorer.rescore([candidates[i] for i in keys], scores, attributes)
        order = np.argsort(-scores, kind="stable")[:k]
        return [Hit.from_metadata(candidates[keys[i]], score=float(scores[i])) for i in order]

    @_talks_to_store
    def why_empty(self, filters: Filters, *, exclude_id: int | None = None) -> str:
        """Why ``filters`` select nothing, in words a person reads (``SearchResult.reason`` uses the
        command line's keys): ``"no product has both Gender Men and Article type Heels"``."""
        extra = [{"id": {"$ne": int(exclude_id)}}] if exclude_id is not None else []
        return self._why_empty(self._resolve_tags(validate(filters, self.vocabulary)), extra, words=True)

    def _why_empty(self, filters: Filters, extra: list[dict], *, words: bool = False) -> str:
        def matches(where: dict | None) -> bool:
            return bool(self._matching_ids(where))

        name = describe_filters if words else Filters.describe
        if filters.tags:
            label = f"tag {' or '.join(filters.tags)}" if words else f"tag={'|'.join(filters.tags)}"
            candidates = set(self._matching_ids(combine(extra)))
            if not candidates & self._tagged_ids(filters.tags):
                return f"no {'other ' if extra else ''}product in the index carries {label}"
            rest = replace(filters, tags=())
            if not matches(where_clause(rest, extra=extra)):
                return self._why_empty(rest, extra, words=words)
            return f"no product with {label} matches {name(rest)}"

        if filters.is_empty:
            return "no other product in the index" if extra else "the index is empty"
        if extra and matches(where_clause(filters)):
            return f"only the product itself matches {name(filters)}"
        return (explain_empty_in_words if words else explain_empty)(filters, matches)
