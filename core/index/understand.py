"""Search understands the request: free text becomes the embedding text plus ``Filters``, chips, notices.

``interpret(text, vocabulary, typed)`` parses ``text`` (:func:`core.understanding.parse`) and maps the
``Request`` onto ``Filters``, conservatively (a filter that is wrong hides good products, while
words left to the embedding only rank):

- wearer gender → ``gender`` (children are the catalogue's Boys/Girls);
- colours: the colours wanted (loose or bound to the one item asked) → ``colours`` when it is one
  colour, "only …", or the colours of one item ("red or blue shirt"); several loose colours stay
  in the text. Colours excluded ("no red") become the complement: every catalogue colour but
  those (``Filters`` has no exclusion; the complement is an exact OR filter the store already runs);
- items asked → ``article_type`` when every item names stocked types, else ``group`` when every
  item names at least a group;
- budget → ``max_price`` (per item, else the one item's limit, else the total) and ``min_price``
  (per item, or the total for one item). Brands stay in the embedding text, with no chip.

Typed filters (sidebar or CLI flags) win field by field: a typed gender replaces the gender read
from the words (said in ``overridden``); typed article type or group replaces both word ones.
Each word-derived filter is one ``Chip`` (label + the ``Filters`` field it sets);
``Interpretation.without(fields)`` drops chips the person removed. Words not understood, things not
stocked and anything not applied are ``notices``. The search itself, with relaxation, is in
:mod:`core.index.relax`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from core.data.groups import ARTICLE_TYPE_GROUP, GROUP_LABELS
from core.index.filters import Filters
from core.index.filters import Vocabulary as IndexVocabulary
from core.understanding import Request, Vocabulary, parse
from core.understanding.request import inr

WORD_FIELDS = ("gender", "colours", "article_type", "group", "min_price", "max_price")
_NAMES = {"gender": "gender", "colours": "colour", "article_type": "article type", "group": "group",
          "min_price": "min price", "max_price": "max price"}
_KIND = ("article_type", "group")  # one kind of product: a typed one replaces both word ones


@dataclass(frozen=True)
class Chip:
    """A filter read from the words: ``label`` to show, ``field`` the ``Filters`` field it sets."""

    label: str
    field: str


@dataclass(frozen=True)
class Interpretation:
    """A search text understood; ``filters`` is what gets searched (typed merged with words)."""

    text: str  # for the embedding
    typed: Filters = field(default_factory=Filters)
    words: Filters = field(default_factory=Filters)  # word-derived, applied (not overridden, not removed)
    chips: tuple[Chip, ...] = ()  # one per field set in ``words``
    removed: tuple[Chip, ...] = ()  # chips the person removed
    overridden: tuple[str, ...] = ()  # "The gender filter (Men) replaces “Women” from the words."
    notices: tuple[str, ...] = ()
    request: Request | None = None  # None for a literal query

    @classmethod
    def literal(cls, text: str, typed: Filters | None = None) -> "Interpretation":
        """``text`` used as is, with the typed filters only."""
        return cls(text=text, typed=typed or Filters())

    @property
    def filters(self) -> Filters:
        return merge(self.typed, self.words)

    def summary(self) -> str:
        """``"Women · Black · Handbags · under ₹1,500"`` (empty when nothing was read)."""
        return " · ".join(chip.label for chip in self.chips)

    def without(self, fields) -> "Interpretation":
        """The same request without the word-derived filters of ``fields`` (chips removed)."""
        fields = set(fields)
        gone = tuple(c for c in self.chips if c.field in fields)
        if not gone:
            return self
        cleared = {c.field: _empty(c.field) for c in gone}
        return replace(self, words=replace(self.words, **cleared), removed=(*self.removed, *gone),
                       chips=tuple(c for c in self.chips if c not in gone))


def merge(typed: Filters, words: Filters) -> Filters:
    """``typed`` with every field ``typed`` leaves open filled from ``words``."""
    kind_typed = bool(typed.article_type or typed.group)
    fill = {name: getattr(words, name) for name in WORD_FIELDS
            if _set(words, name) and not _set(typed, name) and not (name in _KIND and kind_typed)}
    return replace(typed, **fill)


def interpret(text: str, vocabulary: Vocabulary, typed: Filters | None = None, *,
              known: IndexVocabulary | None = None) -> Interpretation:
    """``text`` understood against the catalogue's ``vocabulary``; ``known`` (the index's values) drops
    word-derived values the index does not hold.

    E.g. ``interpret("black handbag for women under 1500", vocab).summary()`` →
    ``"Women · Black · Handbags · under ₹1,500"``.
    """
    typed = typed or Filters()
    request = parse(text, vocabulary)
    notices: list[str] = []
    derived = _derive(request, vocabulary, known, notices)
    words, chips, overridden = {}, [], []
    kind_typed = bool(typed.article_type or typed.group)
    for name, (value, label) in derived.items():
        if _set(typed, name) or (name in _KIND and kind_typed):
            shown = _typed_label(typed, name)
            if shown != label:
                overridden.append(f"The {_NAMES[name] if name not in _KIND else 'article type/group'} "
                                  f"filter ({shown}) replaces “{label}” from the words.")
            continue
        words[name] = value
        chips.append(Chip(label, name))
    notices += [f"Not understood (kept in the search text): {', '.join(request.unknown)}."] if request.unknown else []
    notices += list(request.notices)
    notices += [f"Not applied as a filter: no {item.label().lower()}." for item in request.items_excluded]
    return Interpretation(text=request.search_text() or str(text), typed=typed, words=Filters(**words),
                          chips=tuple(chips), overridden=tuple(overridden), notices=tuple(dict.fromkeys(notices)),
                          request=request)


def vocabulary_of(known: IndexVocabulary) -> Vocabulary:
    """An understanding vocabulary from an index's values (no brands: they come from product names)."""
    values = known.values
    return Vocabulary(article_types=tuple(values.get("articleType", ())), colours=tuple(values.get("baseColour", ())),
                      genders=tuple(values.get("gender", ())), usages=tuple(values.get("usage", ())),
                      seasons=tuple(values.get("season", ())))


# -- the mapping -----------------------------------------------------------------------------
def _derive(request: Request, vocabulary: Vocabulary, known: IndexVocabulary | None,
            notices: list[str]) -> dict[str, tuple[object, str]]:
    """Filters field → (value, chip label), in chip order."""
    def stocked(key: str, own: tuple[str, ...]) -> set[str] | None:
        values = set(known.values.get(key, ())) if known is not None and known.values.get(key) else None
        if own:
            values = set(own) if values is None else values & set(own)
        return values

    out: dict[str, tuple[object, str]] = {}
    genders = stocked("gender", vocabulary.genders)
    if (gender := request.wearer.gender) is not None:
        if genders is None or gender in genders:
            out["gender"] = ((gender,), gender)
        else:
            notices.append(f"This catalogue has no {gender} products, so gender is not filtered.")

    items = request.items_asked
    colours = stocked("baseColour", vocabulary.colours)
    loose, bound = request.colours_wanted, tuple(c for item in items for c in item.colours)
    wanted = tuple(dict.fromkeys((*loose, *bound)))
    one_item = len(items) <= 1
    if wanted and (len(wanted) == 1 or (one_item and (request.colours_only or not loose))):
        kept = tuple(c for c in wanted if c not in request.colours_excluded and (colours is None or c in colours))
        if kept:
            out["colours"] = (kept, " or ".join(kept))
    elif not wanted and request.colours_excluded:
        if colours:
            rest = tuple(sorted(colours - set(request.colours_excluded)))
            out["colours"] = (rest, " ".join(f"no {c.lower()}" for c in request.colours_excluded))
        else:
            notices.append(f"Not applied as a filter: no {', '.join(request.colours_excluded).lower()}.")

    types = stocked("articleType", vocabulary.article_types)
    if items and all(any(types is None or t in types for t in item.article_types) for item in items):
        asked = tuple(dict.fromkeys(t for item in items for t in item.article_types if types is None or t in types))
        out["article_type"] = (asked, " or ".join(asked))
    elif items and all(item.group or item.article_types for item in items):
        groups = tuple(dict.fromkeys(item.group or ARTICLE_TYPE_GROUP.get(item.article_types[0], "other") for item in items))
        out["group"] = (groups, " or ".join(GROUP_LABELS.get(g, g) for g in groups))

    budget = request.budget
    one_limit = items[0].price_max if len(items) == 1 else None
    high = next((v for v in (budget.per_item_max, one_limit, budget.total_max) if v is not None), None)
    low = budget.per_item_min if budget.per_item_min is not None else (budget.total_min if one_item else None)
    if low is not None:
        out["min_price"] = (int(low), f"above {inr(low)}")
    if high is not None:
        out["max_price"] = (int(high), f"under {inr(high)}")
    return out


def _set(filters: Filters, name: str) -> bool:
    return getattr(filters, name) not in ((), None)


def _empty(name: str):
    return None if name.endswith("_price") else ()


def _typed_label(typed: Filters, name: str) -> str:
    if name in _KIND:
        return " or ".join((*typed.article_type, *(GROUP_LABELS.get(g, g) for g in typed.group)))
    value = getattr(typed, name)
    if name == "min_price":
        return f"above {inr(value)}"
    if name == "max_price":
        return f"under {inr(value)}"
    return " or ".join(value)
