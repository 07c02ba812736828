"""Units of meaning in a message, and what binds to what: colours to items, cues to their targets.

``build_units`` turns tokens and found phrases into a sequence of units (a phrase with its hits, a
claimed price or age, a plain word, a mark). ``bind_before`` attaches the colours, brands and style
words right before an item to it ("white leather shoes", "black or navy heels", "Nike running shoes");
``bind_after`` the colours after "in" ("the shoes, in white"). ``apply_scopes`` gives each target its
mode: a cue (``neg`` "no", "he hates", "anything but"; ``only`` "only", "just", "all"; ``context``
"to go with", "with my") reaches the first target after it, past at most three filler words, and
continues through a list ("no black, navy or brown"; a comma list needs a closing "or"/"and", so in
"no red, blue is fine" blue stays wanted). A colour bound to an item goes with it: "no red shoes"
excludes red shoes, not red; "no Nike shoes" excludes Nike, not shoes. Trade-off: scopes are lists,
not parse trees; "no red and blue shoes" excludes both colours' shoes, which is what people usually mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.understanding.cues import CONNECTORS, FILLERS
from core.understanding.text import Found, Token
from core.understanding.vocabulary import Hit

TARGETS = frozenset({"colour", "palette", "type", "group", "ooc", "brand", "brand_exact", "occasion", "descriptor"})
ITEMS = frozenset({"type", "group", "ooc"})
COLOURS = frozenset({"colour", "palette"})
CUES = ("neg", "context", "only")
_LIST_LINKS = frozenset({"or", "and", "nor", "&", "/"})
_LIGHT_FILLERS = frozenset({"a", "an", "the", "any", "my", "his", "her", "in", "also"})
_COLOUR_NOUNS = frozenset({"coloured", "colored", "colour", "color", "toned", "shade", "tone"})  # "wine coloured heels"


@dataclass
class Unit:
    """A phrase (with hits), a claimed span, a plain word or a mark, between tokens ``first..last``."""

    first: int
    last: int
    key: str
    raw: str
    start: int
    end: int
    hits: tuple[Hit, ...] = ()
    claimed: bool = False
    mark: bool = False
    mode: str | None = None  # neg, only, context (None: asked / wanted)
    bound_to: int | None = None  # a colour, brand or style unit: the item unit it describes
    colours: list[int] = field(default_factory=list)  # an item unit: its bound colour units
    modifiers: list[int] = field(default_factory=list)  # an item unit: its brand and style units ("Nike leather shoes")

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(h.kind for h in self.hits)

    def values(self, *kinds: str) -> list:
        return [h.value for h in self.hits if h.kind in kinds]

    @property
    def is_item(self) -> bool:
        return bool(self.kinds & ITEMS)

    @property
    def is_colour(self) -> bool:
        return bool(self.kinds & COLOURS) and not self.is_item

    @property
    def is_target(self) -> bool:
        return bool(self.kinds & TARGETS)

    @property
    def is_filler(self) -> bool:
        return self.key in FILLERS and not self.kinds & (TARGETS | {"neg", "context"}) and not self.claimed

    @property
    def is_connector(self) -> bool:
        return self.key in CONNECTORS and not self.is_target


def build_units(tokens: list[Token], found: list[Found], claimed: set[int], text: str) -> list[Unit]:
    """Tokens grouped into units, in order; hyphens and apostrophes between words are dropped."""
    starts = {f.first: f for f in found}
    units: list[Unit] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if i in starts:
            f = starts[i]
            first, last = tokens[f.first], tokens[f.last]
            key = " ".join(t.key for t in tokens[f.first:f.last + 1] if t.kind != "mark")
            units.append(Unit(f.first, f.last, key, text[first.start:last.end], first.start, last.end, tuple(f.value)))
            i = f.last + 1
        elif i in claimed:
            j = i
            while j + 1 < len(tokens) and j + 1 in claimed:
                j += 1
            units.append(Unit(i, j, "", text[token.start:tokens[j].end], token.start, tokens[j].end, claimed=True))
            i = j + 1
        else:
            if token.kind != "mark" or token.key not in ("-", "'"):
                units.append(Unit(i, i, token.key, token.raw, token.start, token.end, mark=token.kind == "mark"))
            i += 1
    return units


def bind_before(units: list[Unit]) -> None:
    """Colours, brands and style words right before an item describe it: "white leather shoes", "black or
    navy heels", "Nike running shoes"."""
    for i, unit in enumerate(units):
        if not unit.is_item:
            continue
        j = i - 1
        while j >= 0:
            before = units[j]
            if before.is_colour and before.bound_to is None:
                before.bound_to = i
                unit.colours.insert(0, j)
                j -= 1
                if j >= 1 and units[j].is_connector and units[j - 1].is_colour:
                    j -= 1
                continue
            if before.bound_to is None and before.hits and before.kinds <= {"descriptor", "brand", "brand_exact"}:
                before.bound_to = i
                unit.modifiers.insert(0, j)
                j -= 1
                continue
            if before.kinds == {"number"} or (before.key in _COLOUR_NOUNS and not before.hits):
                j -= 1
                continue
            break


def bind_after(units: list[Unit]) -> None:
    """ "shoes in white", "just the shoes, in white": colours after "in" describe the item before them."""
    for i, unit in enumerate(units):
        if not unit.is_item or unit.mode not in (None, "only"):
            continue
        m = i + 1
        if m < len(units) and units[m].key == ",":
            m += 1
        if not (m < len(units) and units[m].key == "in" and not units[m].hits):
            continue
        m += 1
        while m < len(units) and units[m].is_colour and units[m].bound_to is None and units[m].mode in (None, "only"):
            units[m].bound_to = i
            unit.colours.append(m)
            m += 1
            if m + 1 < len(units) and units[m].is_connector and units[m + 1].is_colour:
                m += 1


def _compound(units: list[Unit], index: int) -> int:
    """The unit a target stands for: a bound colour stands for its item."""
    bound = units[index].bound_to
    return bound if bound is not None else index


def _chain(units: list[Unit], first: int) -> list[int]:
    """``first`` and the targets listed after it ("black, navy or brown")."""
    chain, links = [first], []
    while True:
        end = max(_compound(units, chain[-1]), chain[-1])
        m = end + 1
        if m >= len(units) or not units[m].is_connector:
            break
        link = units[m].key
        m += 1
        skipped = 0
        while m < len(units) and units[m].key in _LIGHT_FILLERS and not units[m].hits and skipped < 2:
            m += 1
            skipped += 1
        if m >= len(units) or not units[m].is_target or units[m].kinds & set(CUES):
            break
        chain.append(m)
        links.append(link)
    if "," in links:
        cut = links.index(",")
        if not any(link in _LIST_LINKS for link in links[cut:]):
            chain = chain[:cut + 1]
    return chain


def apply_scopes(units: list[Unit]) -> None:
    """Give each cue's targets its mode (see the module docstring)."""
    for i, unit in enumerate(units):
        cue = next((c for c in CUES if c in unit.kinds), None)
        if cue is None:
            continue
        j = i + 1
        if unit.key == "all":  # "all black", never "all the items"
            if not (j < len(units) and units[j].is_colour):
                continue
        skipped = 0
        while j < len(units) and units[j].is_filler and skipped < 3:
            j += 1
            skipped += 1
        if j >= len(units) or not units[j].is_target:
            continue
        for target in _chain(units, j):
            item = _compound(units, target)
            brands = [m for m in units[item].modifiers if units[m].kinds & {"brand", "brand_exact"}]
            if cue == "neg" and brands:  # "no Nike shoes": shoes, but not Nike
                scoped = brands
            else:
                scoped = [target, item, *units[item].colours, *units[item].modifiers]
            for index in scoped:
                if units[index].mode is None:
                    units[index].mode = cue
