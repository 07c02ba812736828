"""The stylist graph's state and the typed request it revolves around.

Everything kept in the state is plain data (str, int, list, dict, LangChain messages) so the SQLite
checkpointer stores it without custom serialisers; the typed views (``StylistRequest``) are
pydantic models converted at the node boundaries. Reducers:

- ``messages``: LangGraph's ``add_messages`` (the conversation, across turns);
- ``notices``: appended within a turn, reset by a ``None`` write at the start of the next one
  (``add_notices``), so a notice is shown once;
- every other key is last-write-wins, and the previous turn's ``request`` / ``outfit`` are what a
  refinement ("make it cheaper") starts from.
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from pydantic import BaseModel, Field


def add_notices(left: list[str] | None, right: list[str] | None) -> list[str]:
    """Append ``right`` to ``left``; ``None`` starts a new turn (clears)."""
    if right is None:
        return []
    merged = list(left or [])
    for notice in right:
        if notice not in merged:
            merged.append(notice)
    return merged


class StylistRequest(BaseModel):
    """What the user wants, in the catalogue's own vocabulary (the ``--json`` "request")."""

    occasion: str | None = Field(None, description="brunch, office, wedding, party, gym, ...")
    gender: str | None = Field(None, description="Men, Women, Boys, Girls or Unisex")
    age: int | None = Field(None, description="the wearer's age, when said")
    child: bool = Field(False, description="the wearer is a child (gender then Boys or Girls, or unknown)")
    groups: list[str] = Field(default_factory=list, description="product groups asked for")
    article_types: list[str] = Field(default_factory=list, description="article types asked for")
    asked_items: list[list[str]] = Field(
        default_factory=list, description="each item asked for: its article types, or its group ('a handbag and a wallet': two)"
    )
    colours: list[str] = Field(default_factory=list, description="colours wanted")
    item_colours: dict[str, list[str]] = Field(
        default_factory=dict, description="colours bound to one article type: 'blue jeans'"
    )
    excluded_colours: list[str] = Field(default_factory=list)
    colours_only: bool = Field(False, description="every garment in the wanted colours: 'all black'")
    excluded_groups: list[str] = Field(default_factory=list)
    excluded_article_types: list[str] = Field(default_factory=list)
    excluded_ids: list[int] = Field(default_factory=list, description="products already shown")
    budget_max: int | None = Field(None, description="INR, for the whole outfit unless per_item")
    budget_min: int | None = None
    per_item: bool = False
    currency: str = Field("INR", description="the currency the shopper wrote (amounts above are INR)")
    rate: float | None = Field(None, description="INR per unit of that currency, as the shopper stated it")
    style: list[str] = Field(default_factory=list, description="style words: elegant, sporty, ...")
    brands: list[str] = Field(default_factory=list, description="brands asked for (catalogue spelling)")
    excluded_brands: list[str] = Field(default_factory=list)
    weather: list[str] = Field(default_factory=list, description="cold, hot, rain")
    season: str | None = None
    usage: str | None = None
    items: int | None = Field(None, description="number of pieces wanted")
    scope: str = Field("outfit", description="outfit: a whole look; items: only the items named")
    refinement: bool = False
    weather_adds_only: bool = Field(False, description="weather arrived in a follow-up: it may add a layer, never swap a piece")
    changed: list[str] = Field(
        default_factory=list, description="what a refinement changes: article types, groups, 'hero' (a free colour), 'all'"
    )
    out_of_catalogue: list[str] = Field(default_factory=list, description="asked for, but not stocked")
    question: str | None = Field(None, description="asked back instead of an outfit: who is it for?")
    unknown: list[str] = Field(default_factory=list, description="words the parser did not understand (shown, never guessed)")
    query: str = ""

    def plain(self) -> dict[str, Any]:
        return self.model_dump()


class StylistState(TypedDict, total=False):
    """One thread's state; nodes return partial updates of it."""

    messages: Annotated[list[AnyMessage], add_messages]
    notices: Annotated[list[str], add_notices]
    message: str  # this turn's user text (already truncated)
    intake_notices: list[str]  # notices from before the graph (truncation, provider fallback)
    preferences: dict  # saved preferences: gender, budget, favourite_colours, avoided_colours
    request: dict  # StylistRequest.plain(); the previous turn's survives until analyze rewrites it
    plan: list[dict]  # slots: name, group, article_types, colours, optional, relaxed
    candidates: dict[str, list[dict]]  # slot -> hits (Hit fields), best first
    retrieved_ids: list[int]  # every product retrieval returned this turn
    outfit: list[dict]  # picks: slot, product fields, reason, relaxed
    alternatives: dict[str, list[dict]]  # slot -> other products
    answer: str
    provider: str  # who wrote this answer: offline, openai, openai-compatible
    llm_down: bool  # the model failed this turn: do not try it again
    attempts: int  # generate runs this turn
    needs_regeneration: bool
    force_offline: bool  # verify rejected the model's text: rewrite it with the offline writer
