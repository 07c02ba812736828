"""``Stylist``: the one object the CLI and the dashboard talk to.

``Stylist.open(settings)`` loads the encoder, opens the index, picks the chat model the settings
name (``STYLIST_PROVIDER``; offline by default) and a SQLite checkpointer under ``HOME/stylist/``; then
``ask(message, thread_id, preferences) -> StylistAnswer`` answers one turn, and ``stream(...)``
yields ``("token", text)`` pieces while the answer is written and ends with
``("answer", StylistAnswer)``. Streamed tokens are provisional (the model's draft, with ``[#id]``
tags); the final ``StylistAnswer.answer`` is the verified text and is what a UI should keep.

Input hygiene lives here: an empty message is a ``FashionError``; a message longer than
``MAX_MESSAGE_CHARS`` is truncated with a notice; control characters are dropped.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from core.config import Settings
from core.data.product import Product
from core.errors import FashionError
from core.model.registry import resolve_model
from core.stylist.providers import make_chat_model

MAX_MESSAGE_CHARS = 2000
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, kw_only=True)
class ProductPick(Product):
    """One product of an answer, as retrieval returned it, with its outfit slot and why it was chosen."""

    slot: str = ""
    reason: str = ""
    relaxed: tuple[str, ...] = ()

    @classmethod
    def from_pick(cls, pick: dict) -> "ProductPick":
        """From the plain dict the graph keeps (the hit's fields plus ``slot``, ``reason``, ``relaxed``)."""
        return cls.from_dict(pick, slot=str(pick.get("slot", "")), reason=str(pick.get("reason", "")),
                             relaxed=tuple(pick.get("relaxed") or ()))

    def to_dict(self) -> dict:
        """The ``--json`` shape: id, slot, name, price, reason."""
        return {"id": self.id, "slot": self.slot, "name": self.name, "price": self.price, "reason": self.reason}


@dataclass
class StylistAnswer:
    answer: str
    products: list[ProductPick]
    request: dict
    provider: str
    notices: list[str] = field(default_factory=list)
    alternatives: list[ProductPick] = field(default_factory=list)
    thread_id: str = ""
    retrieved_ids: list[int] = field(default_factory=list)
    plan: list[dict] = field(default_factory=list)

    @property
    def total_price(self) -> int:
        return sum(p.price for p in self.products)

    def to_json(self) -> dict:
        return {
            "answer": self.answer,
            "products": [p.to_dict() for p in self.products],
            "request": self.request,
            "alternatives": [p.to_dict() for p in self.alternatives],
            "notices": self.notices,
            "provider": self.provider,
            "thread": self.thread_id,
        }


def clean_message(message: Any) -> tuple[str, list[str]]:
    """(message to analyze, notices); FashionError when there is nothing to read."""
    text = CONTROL.sub(" ", str(message or "")).strip()
    if not text:
        raise FashionError('the message is empty; ask for example "What should I wear for a brunch date?"')
    notices = []
    if len(text) > MAX_MESSAGE_CHARS:
        notices.append(f"Your message was {len(text):,} characters long; I read only the first {MAX_MESSAGE_CHARS:,}.")
        text = text[:MAX_MESSAGE_CHARS]
    return text, notices


def checkpoint_path(settings: Settings) -> Path:
    return settings.home / "stylist" / "checkpoints.sqlite"


class Stylist:
    """A compiled stylist graph plus its checkpointer; thread-safe enough to share in a UI."""

    def __init__(self, graph, *, provider: str = "offline", notices: list[str] | None = None, connection=None):
        self.graph = graph
        self.provider = provider
        self.notices = list(notices or [])  # from construction, e.g. "no API key: offline"
        self._connection = connection

    @classmethod
    def open(cls, settings: Settings, *, embedder=None, model_path: str | None = None, provider: str | None = None,
             chat_model_name: str | None = None, checkpointer=None, retriever=None) -> "Stylist":
        """Everything from ``settings`` (``provider`` and ``chat_model_name`` override its chat model);
        FashionError says what is missing."""
        from core.stylist.graph import build_graph  # lazy, like the two below: langgraph, langchain, torch
        from core.stylist.retriever import FashionProductRetriever

        choice = make_chat_model(settings, provider, model=chat_model_name)
        if retriever is None:
            if embedder is None:
                from core.model.load import load_embedder

                embedder = load_embedder(resolve_model(settings, model_path), cache_dir=settings.feature_cache,
                                         onnx_dir=settings.onnx_dir)
            retriever = FashionProductRetriever.from_index(settings, embedder)
        connection = None
        if checkpointer is None:
            from langgraph.checkpoint.sqlite import SqliteSaver

            path = checkpoint_path(settings)
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(str(path), check_same_thread=False)
            checkpointer = SqliteSaver(connection)
        graph = build_graph(choice.model, retriever, checkpointer, analyzer=choice.analyzer,
                            provider=choice.provider, model_name=choice.name)  # fmt: skip
        return cls(graph, provider=choice.provider, notices=[choice.notice] if choice.notice else [], connection=connection)

    # -- turns -----------------------------------------------------------------------------
    def _start(self, message: str, thread_id: str | None, preferences: dict | None):
        from core.stylist.graph import turn_input

        text, notices = clean_message(message)
        thread = str(thread_id) if thread_id else uuid.uuid4().hex
        config = {"configurable": {"thread_id": thread}}
        return turn_input(text, preferences, [*self.notices, *notices]), config, thread

    def ask(self, message: str, thread_id: str | None = None, preferences: dict | None = None) -> StylistAnswer:
        """One turn; ``thread_id`` continues a conversation (None: a new one)."""
        inputs, config, thread = self._start(message, thread_id, preferences)
        values = self.graph.invoke(inputs, config)
        return self._answer(values, thread)

    def stream(self, message: str, thread_id: str | None = None, preferences: dict | None = None) -> Iterator[tuple[str, Any]]:
        """``("token", str)`` pieces, then ``("answer", StylistAnswer)``."""
        inputs, config, thread = self._start(message, thread_id, preferences)
        streamed = False
        for chunk, meta in self.graph.stream(inputs, config, stream_mode="messages"):
            if meta.get("langgraph_node") == "generate" and isinstance(getattr(chunk, "content", None), str) and chunk.content:
                streamed = True
                yield "token", chunk.content
        answer = self._answer(self.graph.get_state(config).values, thread)
        if not streamed:  # the offline writer: hand the text out line by line
            for line in answer.answer.splitlines(keepends=True):
                yield "token", line
        yield "answer", answer

    def history(self, thread_id: str) -> list[tuple[str, str]]:
        """(role, text) of a thread so far, oldest first."""
        values = self.graph.get_state({"configurable": {"thread_id": str(thread_id)}}).values
        return [("user" if m.type == "human" else "assistant", str(m.content)) for m in values.get("messages", [])]

    def _answer(self, values: dict, thread: str) -> StylistAnswer:
        alternatives = [ProductPick.from_pick(a) for alts in (values.get("alternatives") or {}).values() for a in alts]
        return StylistAnswer(
            answer=values.get("answer", ""),
            products=[ProductPick.from_pick(p) for p in values.get("outfit") or []],
            request=values.get("request") or {},
            provider=values.get("provider", "offline"),
            notices=list(values.get("notices") or []),
            alternatives=alternatives,
            thread_id=thread,
            retrieved_ids=list(values.get("retrieved_ids") or []),
            plan=[{k: v for k, v in s.items()} for s in values.get("plan") or []],
        )

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> "Stylist":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
