"""The vector store: which Chroma client to talk to, and how our collections are named and made.

Two backends behind one factory. ``embedded`` (the default) is a ``PersistentClient`` under
``settings.chroma_dir``: nothing to run, one machine. ``http`` talks to a ``chroma run`` server
through ``HttpClient``: chosen when ``Settings.chroma_host`` is set (``CHROMA_HOST``; the port,
``CHROMA_PORT``, defaults to 8000 and is validated by ``core.config``), so a team can share one
index. Everything above this module (index, search, backup) only sees a
``ClientAPI`` and is identical for both.

A lost server is a problem the user can fix, so it is one :class:`ServerUnavailableError` naming
the server and the way out, raised where the index is used: :func:`open_client`, the collection
helpers below, and (through :func:`server_errors`) the index build and the searcher. Only transport
failures are translated (httpx's, ``ConnectionError``, and chromadb's ``ValueError`` wrapping a
refused connection); an error the server answers with stays what it is.

Collections are named after the model version and the vector kind (``image`` or ``text``): two
collections per model rather than one with a ``kind`` field, so each HNSW graph holds one kind of
vector and a query never has to filter on kind. Both are created in cosine space, explicitly
(Chroma's default is l2), and always with ``embedding_function=None``: we supply every vector.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.config import Settings
from core.errors import FashionError, ServerUnavailableError

if TYPE_CHECKING:  # chromadb is imported lazily: it is slow to import and the CLI may not need it
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

KINDS = ("image", "text")
COLLECTION_PREFIX = "fashion"


@dataclass(frozen=True)
class StoreLocation:
    """Where the vectors live: ``embedded`` with a path, or ``http`` with host and port."""

    backend: str
    path: str | None = None
    host: str | None = None
    port: int | None = None

    def describe(self) -> str:
        if self.backend == "http":
            return f"Chroma server http://{self.host}:{self.port}"
        return f"embedded Chroma store at {self.path}"

    @property
    def address(self) -> str | None:
        """``host:port`` of a server; None for the embedded store."""
        return f"{self.host}:{self.port}" if self.backend == "http" else None


def store_location(settings: Settings) -> StoreLocation:
    """The server at ``settings.chroma_host``/``chroma_port`` when a host is set, else the embedded
    store under the home folder."""
    host = (settings.chroma_host or "").strip()
    if not host:
        return StoreLocation("embedded", path=str(settings.chroma_dir))
    return StoreLocation("http", host=host, port=int(settings.chroma_port))


def open_client(settings: Settings, *, location: StoreLocation | None = None) -> "ClientAPI":
    """A Chroma client for ``location`` (default: resolved from settings).

    Example: ``client = open_client(Settings.from_env())``.
    """
    location = location or store_location(settings)
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)  # no network calls, ever
    match location.backend:
        case "embedded":
            import chromadb

            os.makedirs(location.path, exist_ok=True)
            return chromadb.PersistentClient(path=location.path, settings=chroma_settings)
        case "http":
            import chromadb

            try:
                client = chromadb.HttpClient(
                    host=location.host, port=location.port, settings=chroma_settings
                )
                client.heartbeat()
            except Exception as exc:  # connection refused, DNS, TLS, wrong service...
                raise unavailable(location, exc) from exc
            return client
        case other:
            raise FashionError(f"unknown store backend {other!r}; valid: embedded, http")


# -- a lost server ---------------------------------------------------------------------------
def transport_error(error: BaseException) -> BaseException | None:
    """The connection failure behind ``error`` (itself, or what it was raised from), or None.

    chromadb raises httpx's errors as they are during calls, but wraps a refused connection in a
    ``ValueError`` while opening a client, hence the walk along the chain.
    """
    import httpx  # a chromadb dependency, imported only once something failed

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, (httpx.TransportError, ConnectionError)):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _requested_location(error: BaseException) -> StoreLocation | None:
    """The server an httpx error was talking to, read from its request."""
    try:
        url = error.request.url  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):  # not an httpx error, or one without its request
        return None
    return StoreLocation("http", host=url.host, port=url.port)


def unavailable(
    location: StoreLocation | None, error: BaseException, *, then: str | None = None
) -> ServerUnavailableError:
    """The one-line error for a server that does not answer: its address, why, and what to do
    (``then``: what trying again will do)."""
    cause = transport_error(error) or error
    location = location if location is not None and location.backend == "http" else _requested_location(cause)
    detail = (str(cause).strip().splitlines() or [""])[0]
    why = f"{type(cause).__name__}: {detail}" if detail else type(cause).__name__
    if location is None:
        where, start = "the Chroma server", "`chroma run --path DIR --host HOST --port PORT`"
    else:
        where = f"the Chroma server at {location.address}"
        start = f"`chroma run --path DIR --host {location.host} --port {location.port}`"
    message = f"cannot reach {where} ({why}); start it with {start} or unset CHROMA_HOST to use the embedded index"
    return ServerUnavailableError(
        f"{message}; {then}" if then else message, address=None if location is None else location.address
    )


@contextmanager
def server_errors(location: StoreLocation | None = None, *, then: str | None = None) -> Iterator[None]:
    """Turn a lost connection to the Chroma server into :class:`ServerUnavailableError`.

    ``location`` names the server (default: read from the failed request); ``then`` is appended to
    the message (what happens when the user tries again). Other errors pass through unchanged, and
    an embedded store never has its errors translated. Also a decorator: ``@server_errors()``.
    """
    try:
        yield
    except ServerUnavailableError as exc:  # from an inner guard: say it with this one's address and hint
        if location is None or location.backend != "http" or exc.__cause__ is None:
            raise
        raise unavailable(location, exc.__cause__, then=then) from exc.__cause__
    except FashionError:
        raise
    except Exception as exc:
        if (location is not None and location.backend != "http") or transport_error(exc) is None:
            raise
        raise unavailable(location, exc, then=then) from exc


# -- collections -----------------------------------------------------------------------------
def collection_name(version: str, kind: str) -> str:
    """``fashion-<version>-<kind>``, with characters Chroma refuses replaced by ``-``."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", version).strip("-._") or "model"
    safe = re.sub(r"\.{2,}", ".", safe)
    return f"{COLLECTION_PREFIX}-{safe}-{kind}"[:512]


@server_errors()
def get_or_create(client: "ClientAPI", name: str, *, metadata: dict | None = None) -> "Collection":
    """Open ``name`` or create it in cosine space; never with an embedding function."""
    return client.get_or_create_collection(
        name,
        embedding_function=None,
        configuration={"hnsw": {"space": "cosine"}},
        metadata=metadata,
    )


@server_errors()
def get_existing(client: "ClientAPI", name: str) -> "Collection | None":
    """The collection ``name``, or None when it does not exist."""
    from chromadb.errors import NotFoundError

    try:
        return client.get_collection(name, embedding_function=None)
    except (NotFoundError, ValueError) as exc:
        if transport_error(exc) is not None:  # chromadb's "Could not connect": not a missing collection
            raise
        return None


def collection_space(collection: "Collection") -> str | None:
    """The distance space a collection was created with (``cosine``, ``l2``, ``ip``)."""
    config = collection.configuration or {}
    hnsw = config.get("hnsw") or {}
    return hnsw.get("space") or (collection.metadata or {}).get("hnsw:space")


@server_errors()
def read_all(
    collection: "Collection",
    *,
    include: tuple[str, ...] = ("metadatas",),
    page: int = 5000,
) -> dict[str, list]:
    """Every record of ``collection`` (``ids`` plus each of ``include``), read page by page."""
    out: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        got = collection.get(include=list(include), limit=page, offset=offset)
        out["ids"].extend(got["ids"])
        for key in include:
            values = got.get(key)
            out[key].extend(list(values) if values is not None else [None] * len(got["ids"]))
        if len(got["ids"]) < page:
            return out
        offset += page
