"""``parse(text, vocabulary) -> Request``: one message understood, deterministically, in about a millisecond.

The steps: read ages and budgets from the characters (:mod:`~core.understanding.wearer`,
:mod:`~core.understanding.money`); find the lexicon's phrases among the remaining tokens
(:mod:`~core.understanding.text`); bind colours to items and give cues their scope
(:mod:`~core.understanding.scope`); then read each unit into the request: items asked, excluded or
already owned (checked against what the catalogue stocks; what it cannot hold goes to
``out_of_catalogue`` with the nearest stocked type), colours (a colour the catalogue lacks becomes
its nearest, said in a notice), brands, the occasion (the most specific named), season and weather
(said, or implied by a month, a place or the occasion), the wearer, style words and follow-up cues.
Whatever content word is left is reported in ``unknown`` and kept in ``query``; nothing is guessed
(no default occasion, no exchange rate). Parsing never raises on text: any object is read as
``str``, and only the first ``MAX_CHARS`` characters are read.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from core.data.groups import ARTICLE_TYPE_GROUP
from core.understanding.colours import PALETTES, stocked_colour
from core.understanding.cues import CONNECTORS, FILLERS, STOPWORDS
from core.understanding.items import nearest_stocked, stocked
from core.understanding.money import MoneyParse, read_budget
from core.understanding.occasions import OCCASION_BY_NAME, Occasion
from core.understanding.request import Budget, Item, OutOfCatalogue, Palette, Request, inr
from core.understanding.scope import Unit, apply_scopes, bind_after, bind_before, build_units
from core.understanding.text import MAX_CHARS, prepare, scan, tokenise
from core.understanding.vocabulary import Vocabulary
from core.understanding.wearer import Mention, find_ages, resolve_wearer

# Occasions whose "my son's …" names the host, not the wearer (the speaker dresses for it).
HOSTED = frozenset({"wedding-guest", "own-wedding", "sangeet", "mehendi", "haldi", "reception", "baby-shower", "funeral",
                    "puja", "house-party", "graduation", "farewell", "first-day-college", "college-fest"})
# Occasions for grown-ups: "my daughter" going to one is not a child.
ADULT = frozenset({"interview", "office", "business-meeting", "conference", "own-wedding", "graduation", "farewell",
                   "first-day-college", "college", "college-fest", "date", "cocktail", "black-tie", "honeymoon",
                   "baby-shower", "karwa-chauth"})


@lru_cache(maxsize=1)
def standard_vocabulary() -> Vocabulary:
    """The full Kaggle vocabulary without brands (built once)."""
    return Vocabulary.standard()


class _Reader:
    """Accumulates the request's parts while the units are read (one per ``parse`` call)."""

    def __init__(self, vocabulary: Vocabulary, units: list[Unit]):
        self.vocabulary, self.units = vocabulary, units
        self.items: dict[str, list[Item]] = {"asked": [], "excluded": [], "context": []}
        # single colours and those of families ("pastels") apart: a colour named alone wins over its family
        self.colours: dict[str, list[str]] = {"wanted": [], "excluded": [], "wanted_family": [], "excluded_family": []}
        self.palettes: list[Palette] = []
        self.brands: dict[str, list[str]] = {"wanted": [], "excluded": []}
        self.occasions: list[Occasion] = []
        self.ooc: list[OutOfCatalogue] = []
        self.notices: list[str] = []
        self.colours_only = self.items_only = False

    def colour(self, colour: str) -> str | None:
        have = self.vocabulary.colour_set
        found = stocked_colour(colour, have)
        if found is None:
            self.notices.append(f"This catalogue has no {colour} products, nor a close colour: that colour was left out.")
        elif found != colour:
            self.notices.append(f"This catalogue has no {colour} products; using the nearest colour, {found}.")
        return found

    def palette(self, name: str, wanted: bool) -> Palette:
        have = self.vocabulary.colour_set
        return Palette(name, wanted, tuple(c for c in PALETTES[name] if not have or c in have))

    def bound_colours(self, unit: Unit) -> tuple[str, ...]:
        out: list[str] = []
        for index in unit.colours:
            colour_unit = self.units[index]
            out += [c for c in map(self.colour, colour_unit.values("colour")) if c]
            for name in colour_unit.values("palette"):
                out += self.palette(name, True).colours
        return tuple(dict.fromkeys(out))

    def item(self, unit: Unit, count: int | None, price_max: int | None = None) -> None:
        where = {"neg": "excluded", "context": "context"}.get(unit.mode or "", "asked")
        colours = self.bound_colours(unit)
        have = self.vocabulary.type_set
        for hit in unit.hits:
            if hit.kind == "type":
                types = hit.value if where != "asked" else stocked(hit.value, have)
                if types:
                    item = Item(unit.raw, types, ARTICLE_TYPE_GROUP.get(types[0]), colours, count, price_max)
                    self.items[where].append(item)
                elif where == "asked":
                    self.not_stocked(OutOfCatalogue(unit.raw, nearest_stocked(hit.value, have)), colours)
            elif hit.kind == "group":
                if where == "asked" and hit.value not in self.vocabulary.stocked_groups:
                    self.not_stocked(OutOfCatalogue(unit.raw), colours)
                else:
                    self.items[where].append(Item(unit.raw, (), hit.value, colours, count, price_max))
            elif hit.kind == "ooc":
                label, nearest = hit.value
                if where == "asked":
                    self.not_stocked(OutOfCatalogue(label, nearest_stocked(nearest, have)), colours)
                elif where == "context":
                    self.items[where].append(Item(unit.raw, (), None, colours, count))
        if unit.mode == "only" and self.items["asked"]:
            self.items_only = True

    def not_stocked(self, missing: OutOfCatalogue, colours: tuple[str, ...]) -> None:
        """An item the catalogue cannot hold: reported; its colours ("a maroon kurta") stay wanted."""
        self.ooc.append(missing)
        self.colours["wanted"] += colours

    def final_colours(self) -> tuple[list[str], list[str]]:
        """(wanted, excluded): a colour named alone wins over its family ("pastels but not pink"), and a
        colour asked for an item is not excluded by a family ("a red top, not too bright")."""
        colours = self.colours
        named = {*colours["wanted"], *(c for item in self.items["asked"] for c in item.colours)}
        wanted = [*colours["wanted"], *(c for c in colours["wanted_family"] if c not in colours["excluded"])]
        excluded = [c for c in dict.fromkeys([*colours["excluded"], *colours["excluded_family"]])
                    if c in colours["excluded"] or c not in named]
        return [c for c in dict.fromkeys(wanted) if c not in excluded], excluded

    def loose_colour(self, unit: Unit) -> None:
        wanted = unit.mode != "neg"
        if unit.mode == "context":
            colours = tuple(c for c in map(self.colour, unit.values("colour")) if c)
            self.items["context"].append(Item(unit.raw, (), None, colours))
            return
        for colour in unit.values("colour"):
            found = self.colour(colour) if wanted else colour
            if found:
                self.colours["wanted" if wanted else "excluded"].append(found)
        for name in unit.values("palette"):
            palette = self.palette(name, wanted)
            self.palettes.append(palette)
            self.colours["wanted_family" if wanted else "excluded_family"] += palette.colours
        if unit.mode == "only":
            self.colours_only = True


def _count_before(units: list[Unit], index: int) -> tuple[int | None, int]:
    """(count, its unit) for "two shirts", "3 white tees": a number right before an item; (None, -1) if none."""
    j = index - 1
    while j >= 0 and (units[j].bound_to == index or (units[j].key in ("pair", "pairs", "of") and not units[j].hits)):
        j -= 1
    if j < 0:
        return None, -1
    if numbers := units[j].values("number"):
        return int(numbers[0]), j
    if units[j].key.isdigit() and not units[j].hits and 0 < int(units[j].key) <= 20:
        return int(units[j].key), j
    return None, -1


def _item_limits(units: list[Unit], limits: list[tuple[str, int, tuple[int, int]]]) -> dict[int, int]:
    """{item unit: rupees} when two or more totals each follow an item ("a handbag under 2000 and a wallet
    under 1000"); empty otherwise (one total is the whole budget)."""
    totals = [(rupees, span) for name, rupees, span in limits if name == "total_max"]
    if len(totals) < 2:
        return {}
    bound: dict[int, int] = {}
    for rupees, (start, _end) in totals:
        at = next((i for i, u in enumerate(units) if u.claimed and u.start <= start < u.end), None)
        j = -1 if at is None else at - 1
        while j >= 0 and (units[j].is_filler or units[j].bound_to is not None
                          or (units[j].hits and units[j].kinds <= {"wearer", "descriptor"})):
            j -= 1
        if j < 0 or not units[j].is_item or units[j].mode is not None or j in bound:
            return {}
        bound[j] = rupees
    return bound


def _hosts(units: list[Unit], index: int) -> bool:
    """Whether a possessive person ("my son's") is followed by a hosted occasion ("wedding")."""
    if not units[index].raw.lower().endswith("'s"):
        return False
    after = units[index + 1:index + 4]
    return any(name in HOSTED for u in after for name in u.values("occasion"))


def _final_budget(money: MoneyParse, item_limits: dict[int, int], notices: list[str]) -> Budget:
    """The budget read, with item limits summed into the total, and a notice for any limit said twice."""
    budget = money.budget if money.budget.given or money.budget.needs_rate else Budget()
    if item_limits:
        budget = replace(budget, total_max=sum(item_limits.values()))
        notices.append(f"Read a limit for each item, {inr(budget.total_max or 0)} in all.")
    for name in dict.fromkeys(name for name, _, _ in money.limits):
        values = {rupees for n, rupees, _ in money.limits if n == name}
        if len(values) > 1 and not (item_limits and name == "total_max"):
            notices.append(f"Read more than one {name.replace('_', ' ')} limit; kept the first, {inr(getattr(budget, name))}.")
    return budget


def _unknown_and_query(units: list[Unit], used: set[int]) -> tuple[list[str], str]:
    """(unknown phrases, query): content words no table knows, in runs; the query keeps them and style words."""
    unknown: list[str] = []
    query: list[str] = []
    run: list[str] = []
    for i, unit in enumerate(units):
        content = (i not in used and not unit.hits and not unit.claimed and not unit.mark
                   and (len(unit.key) > 1 or (unit.key.isdigit() and bool(run)))
                   and unit.key not in STOPWORDS and unit.key not in FILLERS and unit.key not in CONNECTORS)
        if content:
            run.append(unit.raw)
            query.append(unit.raw)
            continue
        if run:
            unknown.append(" ".join(run))
            run = []
        if "descriptor" in unit.kinds and unit.mode in (None, "only"):
            query.append(unit.raw)
    if run:
        unknown.append(" ".join(run))
    return unknown, " ".join(query)


def parse(text: object, vocabulary: Vocabulary | None = None) -> Request:
    """``text`` understood against ``vocabulary`` (default: the standard Kaggle vocabulary, no brands).

    E.g. ``parse("black handbag for women under 1500").chips()`` → ``["Women", "Black Handbags", "under ₹1,500"]``.
    """
    vocabulary = vocabulary or standard_vocabulary()
    raw, lowered, truncated = prepare(text)
    ages = find_ages(lowered)
    money = read_budget(lowered, raw, [(a.start, a.end) for a in ages])
    spans = [*((a.start, a.end) for a in ages), *money.spans]
    tokens = tokenise(raw)
    claimed = {i for i, t in enumerate(tokens) if any(t.start < e and s < t.end for s, e in spans)}
    lexicon = vocabulary.lexicon
    units = build_units(tokens, scan(tokens, lexicon.words, claimed, lexicon.exact), claimed, raw)
    bind_before(units)
    apply_scopes(units)
    bind_after(units)

    reader = _Reader(vocabulary, units)
    item_limits = _item_limits(units, money.limits)
    if truncated:
        reader.notices.append(f"Only the first {MAX_CHARS:,} characters were read.")
    mentions: list[Mention] = []
    season = month = None
    weather: list[str] = []
    style: list[str] = []
    cues: list[str] = []
    used: set[int] = set()
    outfit = False
    first_word = next((i for i, u in enumerate(units) if not u.mark and not u.claimed), -1)
    for i, unit in enumerate(units):
        kinds = unit.kinds
        if unit.is_item:
            count, where = _count_before(units, i)
            used.add(where)
            reader.item(unit, count, item_limits.get(i))
        elif unit.is_colour and unit.bound_to is None:
            reader.loose_colour(unit)
        for brand in unit.values("brand", "brand_exact"):
            if "brand_exact" in kinds and i == first_word and " " not in brand and brand.istitle():
                continue  # "Basics of dressing …": a capitalised first word, not the brand
            if unit.mode != "context":  # "to go with my Nike shoes" names what is owned, not what to buy
                reader.brands["excluded" if unit.mode == "neg" else "wanted"].append(brand)
        if unit.mode != "neg":
            reader.occasions += [OCCASION_BY_NAME[name] for name in unit.values("occasion")]
        if unit.mode in (None, "only"):
            style += unit.values("descriptor")
        for sex, age_class, kind in unit.values("wearer"):
            mentions.append(Mention(sex, age_class, kind, unit.raw, unit.start, unit.end, _hosts(units, i)))
        season = season or next(iter(unit.values("season")), None)
        month = month or next(iter(unit.values("month")), None)
        weather += unit.values("weather", "place")
        cues += unit.values("cue")
        outfit = outfit or "outfit" in kinds

    occasion = max(reader.occasions, key=lambda o: o.specificity) if reader.occasions else None
    season = season or month  # what the occasion implies (a ski trip: winter) stays on its row
    weather += {"monsoon": ["rain"], "winter": ["cold"], "summer": ["hot"]}.get(season or "", [])
    season = season or ("winter" if "cold" in weather else "summer" if "hot" in weather else None)  # a heatwave: summer
    unknown, query = _unknown_and_query(units, used)
    unknown += money.unknown
    budget = _final_budget(money, item_limits, reader.notices)
    wanted, excluded = reader.final_colours()
    for ooc in reader.ooc:
        near = f"; the nearest it stocks is {ooc.nearest}" if ooc.nearest else ""
        reader.notices.append(f"This catalogue has no {ooc.words}{near}.")
    return Request(
        text=raw, wearer=resolve_wearer(mentions, ages, lowered, occasion is not None and occasion.name in ADULT),
        occasion=occasion, season=season,
        weather=tuple(dict.fromkeys(weather)), colours_wanted=tuple(wanted), colours_only=reader.colours_only and bool(wanted),
        colours_excluded=tuple(excluded), palettes=tuple(dict.fromkeys(reader.palettes)), budget=budget,
        items_asked=tuple(dict.fromkeys(reader.items["asked"])), items_only=reader.items_only,
        items_excluded=tuple(dict.fromkeys(reader.items["excluded"])), context_items=tuple(dict.fromkeys(reader.items["context"])),
        brands=tuple(dict.fromkeys(reader.brands["wanted"])), brands_excluded=tuple(dict.fromkeys(reader.brands["excluded"])),
        style=tuple(dict.fromkeys(style)), outfit=outfit, cues=tuple(dict.fromkeys(cues)), query=query,
        unknown=tuple(dict.fromkeys(unknown)), out_of_catalogue=tuple(dict.fromkeys(reader.ooc)),
        notices=tuple(dict.fromkeys([*money.notices, *reader.notices])),
    )
