"""The typed request: what a person asked for, in the catalogue's own vocabulary, and how to show it.

``Request`` is frozen plain data (dataclasses): who the clothes are for, the occasion (a row of
:mod:`core.understanding.occasions`), season and weather, colours wanted / only / excluded, the
budget in INR, the items asked for, excluded, or already owned (context), brands, style words, the
text left for embedding search, and what was not understood (``unknown``) or is not sold
(``out_of_catalogue``). ``chips()`` gives short labels for the screens, ``as_dict()`` a JSON-able
dict, ``search_text()`` the words an embedding search should see. Trade-off: one wearer, one
occasion and one budget per request; a message naming two of them keeps the clearest one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass

from core.data.groups import GROUP_LABELS
from core.understanding.colours import PALETTE_TITLES
from core.understanding.occasions import Occasion

GENDERS = ("Men", "Women", "Boys", "Girls", "Unisex")
CATALOGUE_SEASON = {"winter": "Winter", "summer": "Summer", "monsoon": "Fall", "autumn": "Fall", "spring": "Spring"}
_CURRENCY_SIGN = {"USD": "$", "EUR": "€", "GBP": "£", "AED": "AED "}


@dataclass(frozen=True)
class Wearer:
    """Who the clothes are for: a catalogue gender, an age, whether a child, and the words that said so."""

    gender: str | None = None  # Men, Women, Boys, Girls, Unisex
    age: int | None = None
    child: bool = False
    words: tuple[str, ...] = ()

    def label(self) -> str | None:
        young = self.age is not None and self.age < 18
        noun = {"Men": "boy" if young else "man", "Women": "girl" if young else "woman", "Boys": "boy",
                "Girls": "girl"}.get(self.gender or "")
        if self.age is not None:
            article = "an" if str(self.age).startswith("8") or self.age in (11, 18) else "a"
            return f"for {article} {self.age}-year-old {noun or ('child' if self.child else 'person')}"
        if self.gender:
            return self.gender
        return "for a child" if self.child else None


@dataclass(frozen=True)
class Budget:
    """Money limits in whole INR; ``currency``/``rate`` say how a foreign amount was converted."""

    total_max: int | None = None
    total_min: int | None = None
    per_item_max: int | None = None
    per_item_min: int | None = None
    currency: str = "INR"  # the currency the person named (INR unless they named another)
    rate: float | None = None  # INR per unit of ``currency`` as stated in the message; None for INR
    text: str = ""  # the words that said it: "between 2000 and 4000"
    needs_rate: bool = False  # a foreign amount without a stated rate: not converted, nothing guessed

    @property
    def given(self) -> bool:
        return any(v is not None for v in (self.total_max, self.total_min, self.per_item_max, self.per_item_min))

    def labels(self) -> list[str]:
        out = []
        for low, high, suffix in ((self.total_min, self.total_max, ""), (self.per_item_min, self.per_item_max, " each")):
            if low is not None and high is not None:
                out.append(f"{inr(low)}–{inr(high)}{suffix}")
            elif high is not None:
                out.append(f"under {inr(high)}{suffix}")
            elif low is not None:
                out.append(f"above {inr(low)}{suffix}")
        if self.needs_rate:
            out.append(f"{self.text}: no exchange rate given")
        return out


@dataclass(frozen=True)
class Item:
    """An item named in the request: its article types (stocked ones) and/or group, and bound colours."""

    words: str  # as said: "sneakers", "bag"
    article_types: tuple[str, ...] = ()  # catalogue spelling
    group: str | None = None  # a group of core.data.groups when the words name a kind ("shoes")
    colours: tuple[str, ...] = ()  # colours bound to this item: "white shoes"
    count: int | None = None  # "two shirts"
    price_max: int | None = None  # INR, when the limit was said for this item: "a wallet under 1000"

    def label(self) -> str:
        if self.article_types:
            kind = " or ".join(self.article_types)
        else:  # a kind named in the person's words ("shoes", "bag") reads better than the group's title
            kind = self.words.lower() if self.words else GROUP_LABELS.get(self.group or "", "item")
        label = f"{' or '.join(self.colours)} {kind}" if self.colours else kind
        return f"{label} under {inr(self.price_max)}" if self.price_max is not None else label


@dataclass(frozen=True)
class Palette:
    """A colour family named as a whole ("bright colours"), wanted or avoided, and its catalogue colours."""

    name: str
    wanted: bool
    colours: tuple[str, ...]

    def label(self) -> str:
        title = PALETTE_TITLES.get(self.name, self.name)
        return title if self.wanted else f"no {title}"


@dataclass(frozen=True)
class OutOfCatalogue:
    """Something asked for that no catalogue type holds, and the nearest stocked type (if any)."""

    words: str
    nearest: str | None = None

    def label(self) -> str:
        near = f" (nearest: {self.nearest})" if self.nearest else ""
        return f"not stocked: {self.words}{near}"


@dataclass(frozen=True)
class Request:
    """One message, understood. Empty fields mean "not said"; see the module docstring."""

    text: str = ""
    wearer: Wearer = field(default_factory=Wearer)
    occasion: Occasion | None = None
    season: str | None = None  # winter, summer, monsoon, autumn, spring (said, or implied by a month; an occasion's is on its row)
    weather: tuple[str, ...] = ()  # cold, hot, rain (said, or implied by a place or the monsoon)
    colours_wanted: tuple[str, ...] = ()  # not bound to one item
    colours_only: bool = False  # "only black", "all black"
    colours_excluded: tuple[str, ...] = ()
    palettes: tuple[Palette, ...] = ()  # families named as a whole; their colours are in the lists above
    budget: Budget = field(default_factory=Budget)
    items_asked: tuple[Item, ...] = ()
    items_only: bool = False  # "just the shoes": these items, not a whole outfit
    items_excluded: tuple[Item, ...] = ()
    context_items: tuple[Item, ...] = ()  # already worn or owned: "a watch to go with a navy suit"
    brands: tuple[str, ...] = ()
    brands_excluded: tuple[str, ...] = ()
    style: tuple[str, ...] = ()  # style, material, pattern, fit words (also left in ``query``)
    outfit: bool = False  # asks for a whole look ("outfit", "what to wear")
    cues: tuple[str, ...] = ()  # follow-up cues: cheaper, pricier, instead, different, same
    query: str = ""  # the text left for embedding search once the understood words are removed
    unknown: tuple[str, ...] = ()  # content-looking words not understood
    out_of_catalogue: tuple[OutOfCatalogue, ...] = ()
    notices: tuple[str, ...] = ()  # what the parser did on the person's behalf, in words

    @property
    def gender(self) -> str | None:
        return self.wearer.gender

    @property
    def catalogue_season(self) -> str | None:
        """The season in the catalogue's spelling (monsoon and autumn are its "Fall")."""
        return CATALOGUE_SEASON.get(self.season or "")

    def all_colours_wanted(self) -> tuple[str, ...]:
        """Colours wanted anywhere: unbound ones first, then those bound to an item."""
        bound = (c for item in self.items_asked for c in item.colours)
        return tuple(dict.fromkeys((*self.colours_wanted, *bound)))

    def chips(self) -> list[str]:
        """Readable labels for the screens: "Women", "Black", "under ₹1,500", "no red", "Funeral"."""
        out: list[str] = []
        if (label := self.wearer.label()) is not None:
            out.append(label)
        if self.occasion is not None:
            out.append(self.occasion.title)
        out += [("only " if self.items_only else "") + item.label() for item in self.items_asked]
        by_family = {wanted: {c for p in self.palettes if p.wanted == wanted for c in p.colours} for wanted in (True, False)}
        wanted = [c for c in self.colours_wanted if c not in by_family[True]]  # a family shows as one chip
        if self.colours_only and wanted:
            out.append("only " + " or ".join(c.lower() for c in wanted))
        else:
            out += wanted
        out += [p.label() for p in self.palettes]
        out += [f"no {c.lower()}" for c in self.colours_excluded if c not in by_family[False]]
        out += [f"no {item.label().lower()}" for item in self.items_excluded]
        out += [f"with your {item.label().lower()}" for item in self.context_items]
        out += list(self.brands) + [f"no {b}" for b in self.brands_excluded]
        out += self.budget.labels()
        if self.season:
            out.append(self.season.capitalize())
        out += [w.capitalize() for w in self.weather]
        out += [o.label() for o in self.out_of_catalogue]
        return list(dict.fromkeys(out))

    def search_text(self) -> str:
        """Words for an embedding search: gender, colours, items, brands, then the leftover query."""
        parts = [self.wearer.gender or "", *self.brands, *self.colours_wanted, *(i.label() for i in self.items_asked), self.query]
        return " ".join(p for p in parts if p).strip()

    def as_dict(self) -> dict:
        """Plain JSON-able data (lists, dicts, str, int, float, bool, None); the occasion as a brief."""
        out = _plain(self)
        out["occasion"] = self.occasion.brief() if self.occasion else None
        out["chips"] = self.chips()
        return out


def inr(amount: int) -> str:
    """Rupees with Indian digit grouping: ``1500`` → ``"₹1,500"``, ``150000`` → ``"₹1,50,000"``."""
    digits = str(int(amount))
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while len(head) > 2:
        head, groups = head[:-2], [head[-2:], *groups]
    return "₹" + ",".join(g for g in (head, *groups, tail) if g)


def foreign(amount: float, currency: str) -> str:
    """``50, "USD"`` → ``"$50"``."""
    number = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    sign = _CURRENCY_SIGN.get(currency)
    return f"{sign}{number}" if sign else f"{number} {currency}"


def _plain(value):
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
