"""One catalogue's vocabulary, and the phrase table the parser reads messages with.

``Vocabulary.from_catalog(frame)`` collects what a catalogue holds (article types, colours, genders,
usages, seasons, and brands parsed from product names by :mod:`core.data.brands`);
``Vocabulary.standard()`` is the full Kaggle vocabulary without brands, for when no catalogue is at
hand. ``vocabulary.lexicon`` (built once, cached on the instance) maps every known phrase to its
``Hit`` s: the catalogue's own values, the synonym tables of :mod:`~core.understanding.colours`,
:mod:`~core.understanding.items` and :mod:`~core.understanding.cues`, and the occasion table.
Brands that read as everyday words ("Basics", "Status Quo", "ONLY") are matched only as the
catalogue spells them, or never when they are a cue word. Trade-off: the table is rebuilt per
vocabulary (a few milliseconds), so build a vocabulary once per catalogue and reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterable

from core.data.brands import catalogue_brands
from core.data.groups import ARTICLE_TYPE_GROUP, GROUPS
from core.understanding import cues
from core.understanding.colours import CATALOGUE_COLOURS, PALETTE_WORDS, colour_phrases
from core.understanding.items import GROUP_WORDS, ITEM_WORDS, OUT_OF_CATALOGUE, PLURAL_ONLY
from core.understanding.occasions import OCCASIONS
from core.understanding.request import GENDERS
from core.understanding.text import exact_key, phrase_key

_MISSING = {"", "na", "n/a", "nan", "none", "null", "unknown", "-"}
# Everyday words that are also brand names: a brand made only of these is matched in its own casing only.
_COMMON = frozenset((
    "basics basic image ice mineral diva fortune genesis span york turtle tortoise opium cat ant gas pieces force "
    "status quo mayhem guerrilla levitate footloose coolers sepia folklore helix alma nirvana crusoe campbell windsor "
    "aspen homme vogue elle jungle book dark knight palm tree peri happy heart little miss being human earth free "
    "authority global desi urban classic natural speak green amazing spiderman beats rolling stone secret temptation "
    "fusion smart hide guess mr hm u do be 2 10 18 5 new colour me bag"
).split())
_NEVER_BRANDS = frozenset({"only", "and", "w", "mr", "u"})  # a cue word or a letter before it is a brand


# What shoppers call a brand → the catalogue's spelling (used only when the catalogue has that brand).
BRAND_NICKNAMES: dict[str, str] = {
    "us polo": "U.S. Polo Assn.", "u.s. polo": "U.S. Polo Assn.", "uspa": "U.S. Polo Assn.",
    "us polo assn": "U.S. Polo Assn.", "benetton": "United Colors of Benetton", "levi": "Levis", "levi's": "Levis",
    "ray ban": "Ray-Ban", "rayban": "Ray-Ban", "h&m": "HM", "h and m": "HM", "tommy": "Tommy Hilfiger", "ck": "Calvin Klein",
    "fcuk": "French Connection", "louis phillipe": "Louis Philippe", "van huesen": "Van Heusen", "wrogn": "Wrogn",
    "jack and jones": "Jack & Jones", "jack n jones": "Jack & Jones", "gini & jony": "Gini and Jony",
    "red chief": "Red Chief", "woodlands": "Woodland", "sketchers": "Skechers", "reebock": "Reebok", "addidas": "ADIDAS",
}

# Brands shoppers ask for by name; one the catalogue does not stock is reported as not stocked
# ("A Gucci handbag": no Gucci here), never silently dropped. Only with a catalogue's brand list.
_WATCHES, _EYEWEAR, _BAGS, _SHOES = ("Watches",), ("Sunglasses",), ("Handbags",), ("Casual Shoes", "Sports Shoes")
WELL_KNOWN_BRANDS: dict[str, tuple[str, ...]] = {  # brand → the stocked kinds it is known for (nearest to offer)
    **dict.fromkeys(("Rolex", "Omega", "Tissot", "Seiko", "Citizen", "Casio", "Titan", "Fossil", "Fastrack"), _WATCHES),
    **dict.fromkeys(("Ray-Ban", "Oakley"), _EYEWEAR),
    **dict.fromkeys(("Louis Vuitton", "LV", "Chanel", "Hermes", "Michael Kors", "Coach", "Kate Spade", "Tory Burch",
                     "Bottega Veneta", "Fendi"), _BAGS),
    **dict.fromkeys(("Nike", "Adidas", "Puma", "Reebok", "Skechers", "Asics", "New Balance", "Under Armour", "Converse",
                     "Vans"), _SHOES),
    **dict.fromkeys(("Crocs", "Birkenstock"), ("Sandals", "Flip Flops")),
    **dict.fromkeys(("Dr Martens", "Timberland", "Clarks", "Bata", "Woodland", "Red Tape"), ("Casual Shoes", "Formal Shoes")),
    **dict.fromkeys(("Gucci", "Prada", "Dior", "Versace", "Armani", "Giorgio Armani", "Burberry", "Balenciaga", "Valentino",
                     "Givenchy", "Saint Laurent", "YSL", "Ralph Lauren", "Polo Ralph Lauren", "Hugo Boss", "Boss", "Lacoste",
                     "Tommy Hilfiger", "Calvin Klein", "Zara", "Uniqlo", "Mango", "Forever 21", "Gap", "Marks and Spencer",
                     "Levis", "Allen Solly", "Van Heusen", "Peter England", "Louis Philippe", "Raymond", "Fabindia", "Biba",
                     "W", "Manyavar", "Sabyasachi", "Anita Dongre", "Patagonia", "The North Face", "Columbia", "Decathlon",
                     "Quechua", "Wildcraft"), ()),
}  # fmt: skip


@dataclass(frozen=True)
class Hit:
    """What a phrase means: a ``kind`` (colour, item, group, ooc, brand, occasion, wearer, season, …) and a value."""

    kind: str
    value: Any = None


@dataclass(frozen=True)
class Lexicon:
    """Phrase keys → hits: ``words`` compared lower-cased, ``exact`` as the catalogue spells them."""

    words: dict[tuple[str, ...], tuple[Hit, ...]]
    exact: dict[tuple[str, ...], tuple[Hit, ...]]


def _values(frame: Any, column: str) -> tuple[str, ...]:
    if column not in getattr(frame, "columns", ()):
        return ()
    found = {str(v).strip() for v in frame[column].tolist() if isinstance(v, str)}
    return tuple(sorted(v for v in found if v.lower() not in _MISSING))


def _singular(article: str) -> str:
    head, _, last = article.rpartition(" ")
    if last.endswith(("sses", "ches", "shes", "xes")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    return f"{head} {last}".strip()


def _plural(phrase: str) -> str:
    return phrase + ("es" if phrase.endswith(("s", "x", "ch", "sh")) else "s")


@dataclass(frozen=True)
class Vocabulary:
    """What one catalogue holds, in its own spelling (empty tuples: anything goes)."""

    article_types: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()  # canonical spellings, commonest first
    usages: tuple[str, ...] = ()
    seasons: tuple[str, ...] = ()

    @classmethod
    def from_catalog(cls, frame: Any) -> "Vocabulary":
        """From a catalogue frame with the Kaggle columns (``articleType``, ``baseColour``, ``gender``,
        ``productDisplayName``, ``usage``, ``season``); a missing column leaves that part empty."""
        names = frame["productDisplayName"].tolist() if "productDisplayName" in getattr(frame, "columns", ()) else []
        counts, _aliases = catalogue_brands(names)
        brands = tuple(b for b, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        return cls(_values(frame, "articleType"), _values(frame, "baseColour"), _values(frame, "gender"), brands,
                   _values(frame, "usage"), _values(frame, "season"))

    @classmethod
    def standard(cls) -> "Vocabulary":
        """The Kaggle catalogue's types, colours and genders, no brands: for parsing without a catalogue."""
        return cls(tuple(sorted(ARTICLE_TYPE_GROUP)), CATALOGUE_COLOURS, GENDERS)

    @cached_property
    def type_set(self) -> frozenset[str]:
        return frozenset(self.article_types)

    @cached_property
    def colour_set(self) -> frozenset[str]:
        return frozenset(self.colours)

    @cached_property
    def stocked_groups(self) -> frozenset[str]:
        """Groups with at least one stocked type (all groups when the vocabulary lists no types)."""
        if not self.article_types:
            return frozenset(GROUPS)
        return frozenset(ARTICLE_TYPE_GROUP.get(t, "other") for t in self.article_types)

    @cached_property
    def lexicon(self) -> Lexicon:
        words: dict[tuple[str, ...], list[Hit]] = {}

        def add(phrases: Iterable[str], hit_of) -> None:
            for phrase in phrases:
                key = phrase_key(phrase)
                hit = hit_of(phrase)
                if key and hit not in words.setdefault(key, []):
                    words[key].append(hit)

        add(cues.NEGATION, lambda p: Hit("neg"))
        add(cues.ONLY, lambda p: Hit("only"))
        add(cues.CONTEXT, lambda p: Hit("context"))
        add(cues.PRICE_CUES, lambda p: Hit("cue", cues.PRICE_CUES[p]))
        add(cues.OTHER_CUES, lambda p: Hit("cue", cues.OTHER_CUES[p]))
        add(["instead of"], lambda p: Hit("cue", "instead"))
        add(cues.OUTFIT_WORDS, lambda p: Hit("outfit"))
        add(cues.NUMBER_WORDS, lambda p: Hit("number", cues.NUMBER_WORDS[p]))
        add(cues.WEARER_WORDS, lambda p: Hit("wearer", cues.WEARER_WORDS[p]))
        add(cues.SEASON_WORDS, lambda p: Hit("season", cues.SEASON_WORDS[p]))
        add(cues.WEATHER_WORDS, lambda p: Hit("weather", cues.WEATHER_WORDS[p]))
        add(cues.PLACE_WEATHER, lambda p: Hit("place", cues.PLACE_WEATHER[p]))
        add(cues.MONTH_SEASON, lambda p: Hit("month", cues.MONTH_SEASON[p]))
        for occasion in OCCASIONS:
            add(occasion.words, lambda p, name=occasion.name: Hit("occasion", name))
        add(PALETTE_WORDS, lambda p: Hit("palette", PALETTE_WORDS[p]))
        colours = colour_phrases(self.colours)
        add([p for p in colours if phrase_key(p) not in words], lambda p: Hit("colour", colours[p]))
        types: dict[str, tuple[str, ...]] = {}
        for article in sorted({*ARTICLE_TYPE_GROUP, *self.article_types}):
            types.setdefault(article.lower(), (article,))
            if article not in PLURAL_ONLY and ARTICLE_TYPE_GROUP.get(article) != "other":  # "football" is the sport
                types.setdefault(_singular(article).lower(), (article,))
        for phrase, named in ITEM_WORDS.items():
            types[phrase] = named
            if not phrase.endswith("s"):
                types.setdefault(_plural(phrase), named)
        add(types, lambda p: Hit("type", types[p]))
        add(GROUP_WORDS, lambda p: Hit("group", GROUP_WORDS[p]))
        ooc = {**OUT_OF_CATALOGUE, **{_plural(p): v for p, v in OUT_OF_CATALOGUE.items() if not p.endswith("s")}}
        add([p for p in ooc if phrase_key(p) not in words], lambda p: Hit("ooc", ooc[p]))
        add(cues.DESCRIPTORS, lambda p: Hit("descriptor", p))
        exact: dict[tuple[str, ...], list[Hit]] = {}
        plain = {w for key in words for w in key} | cues.STOPWORDS | cues.FILLERS | _COMMON
        for brand in self.brands:  # commonest first: a spelling two brands share goes to the commoner
            key = phrase_key(brand)
            if not key or all(w.isdigit() for w in key) or len(brand) < 2:
                continue
            if key in words or all(w in plain for w in key):
                if " ".join(key) in cues.STOPWORDS | cues.FILLERS | cues.CONNECTORS | _NEVER_BRANDS:
                    continue
                exact.setdefault(exact_key(brand), [Hit("brand_exact", brand)])
            else:
                words.setdefault(key, [Hit("brand", brand)])
                if "&" in key:
                    words.setdefault(tuple("and" if w == "&" else w for w in key), [Hit("brand", brand)])
        known = set(self.brands)
        for nickname, brand in BRAND_NICKNAMES.items():
            if brand in known and phrase_key(nickname) not in words:
                words[phrase_key(nickname)] = [Hit("brand", brand)]
        if self.brands:  # a famous brand this catalogue does not carry: not stocked, said so
            stocked = {b.casefold() for b in self.brands} | {n.casefold() for n, b in BRAND_NICKNAMES.items() if b in known}
            for brand, kinds in WELL_KNOWN_BRANDS.items():
                key = phrase_key(brand)
                if brand.casefold() not in stocked and len(brand) > 2 and key not in words and not all(w in plain for w in key):
                    words[key] = [Hit("ooc", (brand, kinds))]
        return Lexicon({k: tuple(v) for k, v in words.items()}, {k: tuple(v) for k, v in exact.items()})
