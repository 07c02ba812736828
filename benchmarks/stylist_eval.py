"""Evaluation of the stylist: runs the labelled requests through the offline provider and judges
every answer against the catalogue and the hand labels, never against the stylist's own reading.

    python -m benchmarks.stylist_eval --home /tmp/stylist-eval \
        --catalog /work/shared/datasets/fashion-product-images-small [--model PATH] [--json] [--out FILE] [--verbose]

Needs a trained encoder (``--model``, else the newest under HOME/models); prepares the catalogue
and builds the index in HOME when they are missing (timed separately, not part of the figures).
The stylist writes its checkpoints under HOME/stylist, so point HOME at a copy of a shared home.
Prints a table (``--json``: the summary as JSON instead); ``--out`` also writes every answer's record.

Request file (``stylist_requests.jsonl``, one JSON object a line): ``id``, ``message``, optional
``thread`` (turns of one thread share it and run in file order, each judged against the previous
turn's products), ``expect`` (the labels below) and, for the 46 original requests, ``legacy``
(their first labels, verbatim, used only for the legacy figures). How the labels were written
(conventions, the occasion and weather rules, the judgement calls): ``stylist_labels.md``.

Label schema (``expect``; every key optional, absent = no constraint; colours are the catalogue's
``baseColour`` values; an "item" is a catalogue ``articleType`` or one of the groups of
``core.data.groups``: topwear, bottomwear, dress, footwear, bags, watches, jewellery, eyewear,
headwear, accessories, innerwear; money is INR after conversion):

- ``wearer``: {``gender``: Men|Women|Boys|Girls|Unisex|null, ``age``: int|null, ``child``: bool}.
  A child may only get children's products (Boys/Girls, or a name saying Kids/Boy's/Girl's/
  Infant, as the catalogue files some kidswear under Men/Women/Unisex), plus Unisex accessories;
  an adult never gets children's products.
- ``occasion``: one of ``OCCASIONS`` below, or a list of acceptable ones; ``season``
  (Summer|Winter|Fall|Spring) and ``weather`` (cold|hot|rain) when stated or clearly implied.
- ``colours_wanted`` (at least one outfit product in one of them, or in a close shade: see
  ``COLOUR_FAMILY``), ``colours_only`` (true: every garment, shoe and bag in them; watches,
  jewellery and eyewear are exempt), ``colours_excluded`` (no product at all in them or a close
  shade), ``colours_by_item`` ({item: [colours]}: every product of that item in them).
- ``budget``: {``total_max``, ``total_min`` (the outfit's sum; for a one-item ask, that item),
  ``per_item_max``, ``per_item_min`` (every product), ``currency`` (INR, USD, EUR, GBP, AED: the
  currency the user wrote), ``rate`` (INR per unit, as the user stated it)}. Alternatives are
  judged as swapped into the outfit.
- ``items_asked`` (each must be in the outfit), ``items_excluded`` (none may appear), ``brands``
  (every product of an asked item, or every product when no item is asked, is of one of them;
  a brand also listed as out of catalogue is only checked for admission).
- ``scope``: outfit (default: a complete outfit), items (the asked items; more is fine),
  only ("just a watch": nothing but the asked items).
- ``out_of_catalogue``: things asked for that the catalogue does not stock ("tuxedo", alternative
  spellings joined by ``|``); the answer text or its notes must name each one with a
  not-stocked / nearest cue. ``unsatisfiable``: nothing in the catalogue meets the hard
  constraints; violations are then excused when the answer says so.
- ``unsuitable_types`` (items that must not appear for this occasion or weather),
  ``unsuitable_colours`` (exact colours; watches, jewellery and eyewear exempt),
  ``unsuitable_usages`` (catalogue ``usage`` values), ``required_types_any`` (a list of lists: each
  inner list needs one outfit product of one of its items, e.g. a warm layer), ``complete_needs``
  (same shape; replaces the default completeness rule: footwear plus a dress or a top and a
  bottom, minus excluded groups).
- ``ask_wearer``: the wearer is unknown and it matters: the right answer is one short question
  (a "?" sentence about who it is for) and no gendered products.
- refinements (a thread's later turns; labels are the whole request as it now stands):
  ``changes``: items whose products must differ from the previous turn's (replaced, removed or
  added), or ``price_down`` (a lower total), ``formality_up`` (a more formal outfit by usage and
  article type), ``different`` (no product kept), or a field name (wearer, occasion, colour,
  budget: judged by the other labels); ``keeps``: items whose previous products must stay, or
  ``others`` (every item group of the previous outfit that ``changes`` and ``items_excluded`` do
  not touch).
- ``injection``: a prompt-injection attempt (no leak of the prompts, no invented product).

Figures (each answer is judged on every check that applies to it; an answer is showable when it
fails none; also reported ignoring grammar smells, and for a thread's later turns alone):
1. hard constraints: wearer (gender and age group), budget (total, per item, range, minimum),
   colours (wanted, only, excluded, per item), items asked present / excluded absent / only,
   brands; per answer and per product (outfit pieces and alternatives);
2. occasion and weather: unsuitable items, colours or usages, required items missing;
3. completeness: an outfit ask gets a complete outfit (catalogue groups, not the stylist's plan);
4. refinements: changed more or less than asked, against the previous turn's products;
5. out of catalogue admitted; 6. "nothing" claims: no products while the catalogue holds
   matching ones (an out-of-catalogue ask may answer with the admission alone); 7. ask_wearer:
   one short question; 8. prose: distinct tip lines per 100
   answers, the one-template share, grammar smells (a plural "be the one statement piece", a tip
   naming "your belt" with no belt in the outfit);
9. parser accuracy per field: the answer's ``request`` read through ``parsed_fields`` (the
   current ``StylistRequest`` names mapped to the labels'; a label's own name, flat or nested,
   wins, so a new parser passes by emitting it) vs the labels: right / labelled (labelled = the
   label is non-empty) and spurious / unlabelled; a field the parser does not produce is wrong;
   for a one-item ask a free colour equal to the item's colour counts as bound to it;
10. latency p50 / p95 per answer (``Stylist.ask`` end to end: analyze .. verify plus the SQLite
    checkpoint; the encoder load and one warm-up call are excluded);
11. legacy figures, as this script printed them before: constraint satisfaction and analyzer
    accuracy on the 46 original labels, grounding (names and prices equal to the catalogue's, ids
    returned by retrieval) and plan completeness on every answer.
Product attributes (gender, type, group, colour, price, usage, brand) are read from the prepared
catalogue (HOME/processed/catalog.parquet) by product id, never from the answer's words.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core.config import Settings
from core.data.groups import ARTICLE_TYPE_GROUP, GROUPS
from core.stylist.facts import compatible_genders
from core.stylist.prompts import ANALYZE_SYSTEM, GENERATE_SYSTEM

HERE = Path(__file__).resolve().parent
ID_IN_TEXT = re.compile(r"#(\d{3,})")
REF_IN_TEXT = re.compile(r"([^\n:;]+?) \(₹([\d,]+), #(\d+)\)")
MIN_REQUESTS = 120

# -- the label vocabulary ---------------------------------------------------------------------
OCCASIONS: dict[str, str] = {
    "interview": "a job or internship interview", "office": "everyday office wear",
    "business_meeting": "a client or business meeting", "conference": "attending or speaking at a conference",
    "wedding_guest": "a wedding or reception, as a guest", "own_wedding": "one's own wedding (bride or groom)",
    "sangeet": "a sangeet night", "mehendi": "a mehendi function", "funeral": "a funeral or prayer meeting",
    "black_tie": "a black-tie dinner or gala", "cocktail": "a cocktail party", "brunch": "brunch or a daytime lunch out",
    "date": "a date", "party": "a party or night out", "house_party": "a party at someone's home",
    "kids_party": "a child's birthday party (the child's outfit)", "new_year": "a New Year's Eve party",
    "christmas": "a Christmas party", "college": "everyday college", "college_fest": "a college festival",
    "first_day_college": "the first day at college", "farewell": "a school or college farewell",
    "graduation": "a graduation ceremony", "baby_shower": "a baby shower", "diwali": "Diwali",
    "eid": "Eid", "holi": "playing Holi", "navratri": "Navratri, garba or dandiya night",
    "puja": "a puja or religious ceremony", "temple_visit": "a temple visit",
    "family_dinner": "a meal with family or a partner's parents", "beach": "a beach day or beach holiday",
    "honeymoon": "a honeymoon", "trek": "a trek or hike", "ski": "skiing or a snow trip", "camping": "camping",
    "picnic": "a picnic", "gym": "the gym", "running": "running", "yoga": "yoga", "cycling": "cycling",
    "swimming": "swimming", "travel": "a trip or journey", "airport": "a flight / airport",
    "monsoon_commute": "commuting in the rain", "festival_concert": "a music festival or concert",
    "school": "a child's school day or school event", "casual": "everyday casual, weekend",
}  # fmt: skip
SEASONS = ("Summer", "Winter", "Fall", "Spring")
WEATHERS = ("cold", "hot", "rain")
CURRENCIES = ("INR", "USD", "EUR", "GBP", "AED")
WEARER_GENDERS = ("Men", "Women", "Boys", "Girls", "Unisex")
EXPECT_KEYS = {
    "wearer", "occasion", "season", "weather", "colours_wanted", "colours_only", "colours_excluded",
    "colours_by_item", "budget", "items_asked", "items_excluded", "brands", "scope", "out_of_catalogue",
    "unsatisfiable", "unsuitable_types", "unsuitable_colours", "unsuitable_usages", "required_types_any",
    "complete_needs", "ask_wearer", "changes", "keeps", "injection",
}  # fmt: skip
BUDGET_KEYS = {"total_max", "total_min", "per_item_max", "per_item_min", "currency", "rate"}
FIELD_CHANGES = {"wearer", "occasion", "colour", "budget"}  # judged by the other labels, not by products
CHANGE_TOKENS = {"price_down", "formality_up", "different", *FIELD_CHANGES}
# A wanted or excluded colour also covers its close shades ("no red": no maroon either).
COLOUR_FAMILY: dict[str, set[str]] = {
    "White": {"White", "Off White", "Cream"}, "Off White": {"Off White", "White", "Cream"},
    "Cream": {"Cream", "Off White", "Beige"}, "Grey": {"Grey", "Grey Melange", "Charcoal"},
    "Blue": {"Blue", "Navy Blue", "Turquoise Blue"}, "Red": {"Red", "Maroon", "Burgundy"},
    "Maroon": {"Maroon", "Burgundy"}, "Pink": {"Pink", "Magenta", "Rose"},
    "Green": {"Green", "Olive", "Sea Green", "Lime Green"}, "Yellow": {"Yellow", "Mustard"},
    "Orange": {"Orange", "Rust"}, "Purple": {"Purple", "Lavender", "Mauve"},
    "Brown": {"Brown", "Coffee Brown", "Mushroom Brown", "Tan"},
    "Beige": {"Beige", "Cream", "Khaki", "Skin", "Nude", "Taupe"}, "Gold": {"Gold", "Bronze", "Copper"},
    "Silver": {"Silver", "Steel"},
}  # fmt: skip
COLOUR_EXEMPT_GROUPS = {"watches", "jewellery", "eyewear"}  # dial, metal and lens colours
KID_NAME = re.compile(r"\b(?:kids?|kid's|kidswear|infants?|boy'?s?|girl'?s?)\b", re.IGNORECASE)
ADULT_NAME = re.compile(r"\b(?:wo)?m[ae]n'?s?\b", re.IGNORECASE)
CHILD_ACCESSORY_GROUPS = {"bags", "headwear", "eyewear", "watches", "accessories"}
USAGE_FORMALITY = {"Formal": 2.0, "Party": 1.5, "Ethnic": 1.5, "Smart Casual": 1.5, "Casual": 1.0, "Travel": 0.5,
                   "Sports": 0.0, "Home": 0.0}  # fmt: skip
TYPE_FORMALITY = {
    **dict.fromkeys(("Formal Shoes", "Blazers", "Suits", "Ties", "Cufflinks", "Waistcoat", "Heels", "Clutches",
                     "Trousers", "Shirts", "Sarees", "Nehru Jackets"), 1.0),
    **dict.fromkeys(("Tshirts", "Jeans", "Shorts", "Casual Shoes", "Sports Shoes", "Flip Flops", "Track Pants",
                     "Caps", "Backpacks", "Sweatshirts", "Capris", "Leggings"), -1.0),
}  # fmt: skip
NOT_STOCKED = re.compile(
    r"\b(?:no|not|don'?t|do not|doesn'?t|does not|isn'?t|aren'?t|cannot|can'?t|unavailable|out of stock|"
    r"nearest|closest|instead|lacks?|without|nothing|none)\b",
    re.IGNORECASE,
)
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n")
WHO_WORDS = re.compile(r"\b(?:who|whom|m[ae]n|wom[ae]n|him|her|his|boy|girl|gender|son|daughter|male|female)\b", re.IGNORECASE)
STATEMENT = re.compile(r"\blet the (.+?) be the one statement piece", re.IGNORECASE)
PRESUMED_PIECE = re.compile(
    r"\b(?:your|the)\s+(belt|watch|sunglasses|shades|cap|hat|bag|handbag|clutch|backpack|earrings|jewellery|"
    r"tie|scarf|jacket|blazer|shoes|heels|sneakers)\b",
    re.IGNORECASE,
)
PIECE_ITEMS = {
    "belt": ("Belts",), "watch": ("watches",), "sunglasses": ("eyewear",), "shades": ("eyewear",),
    "cap": ("headwear",), "hat": ("headwear",), "bag": ("bags",), "handbag": ("Handbags",), "clutch": ("Clutches",),
    "backpack": ("Backpacks",), "earrings": ("Earrings",), "jewellery": ("jewellery",), "tie": ("Ties",),
    "scarf": ("Scarves", "Stoles", "Mufflers", "Dupatta"), "jacket": ("Jackets", "Blazers", "Nehru Jackets", "Rain Jacket"),
    "blazer": ("Blazers",), "shoes": ("footwear",), "heels": ("Heels",), "sneakers": ("Casual Shoes", "Sports Shoes"),
}  # fmt: skip


# -- the catalogue, as the checks see it ------------------------------------------------------
@dataclass(frozen=True)
class Item:
    """One product as the catalogue files it (the checks never read the answer's words)."""

    id: int
    gender: str
    wearer: str  # Men, Women, Unisex, or for children's products Boys, Girls, Kids
    article_type: str
    group: str
    colour: str
    price: int
    usage: str
    name: str

    @property
    def child(self) -> bool:
        return self.wearer in ("Boys", "Girls", "Kids")

    def brand_is(self, brand: str) -> bool:
        return _fold(self.name).startswith(_fold(brand))


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", str(text).lower())


def product_wearer(gender: str, name: str) -> str:
    """Who a product is for: the catalogue's gender, or a child when the name says Kids/Boy's/Girl's."""
    if gender in ("Boys", "Girls"):
        return gender
    if KID_NAME.search(name) and not ADULT_NAME.search(name):
        if re.search(r"\bgirl", name, re.IGNORECASE):
            return "Girls"
        if re.search(r"\bboy", name, re.IGNORECASE):
            return "Boys"
        return {"Men": "Boys", "Women": "Girls"}.get(gender, "Kids")
    return gender


def catalogue_items(rows: pd.DataFrame) -> dict[int, Item]:
    """id -> Item from the prepared catalogue (``rows`` indexed by id)."""
    items = {}
    for pid, row in rows.iterrows():
        name = str(row.productDisplayName)
        items[int(pid)] = Item(int(pid), str(row.gender), product_wearer(str(row.gender), name), str(row.articleType),
                               str(row.group), str(row.baseColour), int(row.price), str(row.usage), name)  # fmt: skip
    return items


def is_group(key: str) -> bool:
    return key in GROUPS


def item_matches(item: Item, key: str) -> bool:
    """``key`` is a group name or an article type."""
    return item.group == key if is_group(key) else item.article_type == key


def group_of_key(key: str) -> str:
    return key if is_group(key) else ARTICLE_TYPE_GROUP.get(key, key)


def family(colours) -> set[str]:
    return set().union(*(COLOUR_FAMILY.get(c, {c}) | {c} for c in colours)) if colours else set()


# -- the labels -------------------------------------------------------------------------------
def label_problems(row: dict, article_types: set[str], colours: set[str]) -> list[str]:
    """Schema errors in one request's labels (unknown keys, occasions, colours, items)."""
    expect = row.get("expect", {})
    problems = [f"unknown key {k}" for k in expect if k not in EXPECT_KEYS]
    wearer = expect.get("wearer") or {}
    if wearer.get("gender") not in (None, *WEARER_GENDERS):
        problems.append(f"wearer.gender {wearer.get('gender')}")
    occasions = expect.get("occasion")
    for occ in occasions if isinstance(occasions, list) else [occasions]:
        if occ is not None and occ not in OCCASIONS:
            problems.append(f"occasion {occ}")
    if expect.get("season") not in (None, *SEASONS):
        problems.append(f"season {expect['season']}")
    if expect.get("weather") not in (None, *WEATHERS):
        problems.append(f"weather {expect['weather']}")
    budget = expect.get("budget") or {}
    problems += [f"budget key {k}" for k in budget if k not in BUDGET_KEYS]
    if budget.get("currency") not in (None, *CURRENCIES):
        problems.append(f"currency {budget['currency']}")
    named_colours = [*expect.get("colours_wanted", []), *expect.get("colours_excluded", []), *expect.get("unsuitable_colours", []),
                     *(c for cs in (expect.get("colours_by_item") or {}).values() for c in cs)]  # fmt: skip
    problems += [f"colour {c}" for c in named_colours if c not in colours]
    keys = [*expect.get("items_asked", []), *expect.get("items_excluded", []), *expect.get("unsuitable_types", []),
            *(expect.get("colours_by_item") or {}),
            *(k for alts in expect.get("required_types_any", []) + expect.get("complete_needs", []) for k in alts),
            *(k for k in [*expect.get("changes", []), *expect.get("keeps", [])] if k not in CHANGE_TOKENS | {"others"})]  # fmt: skip
    problems += [f"item {k}" for k in keys if not is_group(k) and k not in article_types and k not in ARTICLE_TYPE_GROUP]
    if expect.get("scope", "outfit") not in ("outfit", "items", "only"):
        problems.append(f"scope {expect['scope']}")
    if (expect.get("changes") or expect.get("keeps")) and not row.get("thread"):
        problems.append("changes/keeps outside a thread")
    return problems


def load_requests(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if len(rows) < MIN_REQUESTS:
        raise SystemExit(f"{path} holds {len(rows)} requests; the evaluation needs at least {MIN_REQUESTS}")
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        raise SystemExit(f"{path}: duplicate ids {[i for i, n in Counter(ids).items() if n > 1]}")
    return rows


def check_labels(requests: list[dict], items: dict[int, Item]) -> list[str]:
    """Schema errors (fatal) and labels the catalogue contradicts (warnings, printed)."""
    article_types = {i.article_type for i in items.values()}
    colours = {i.colour for i in items.values()} | set(COLOUR_FAMILY)
    errors = [f"{r['id']}: {p}" for r in requests for p in label_problems(r, article_types, colours)]
    if errors:
        raise SystemExit("label errors:\n  " + "\n  ".join(errors))
    warnings = []
    for r in requests:
        expect = r.get("expect", {})
        if expect.get("ask_wearer") or expect.get("injection"):
            continue
        counts = feasible_counts(expect, items)
        unmet = [k for k, n in counts.items() if n == 0] if expect.get("items_asked") else ["outfit"] if not sum(counts.values()) else []
        if unmet and not expect.get("unsatisfiable") and not expect.get("out_of_catalogue"):
            warnings.append(f"{r['id']}: no catalogue product meets the labels for {unmet}")
        if not unmet and expect.get("unsatisfiable"):
            warnings.append(f"{r['id']}: labelled unsatisfiable but the catalogue holds matching products")
    return warnings


# -- hard constraints -------------------------------------------------------------------------
def wearer_ok(item: Item, wearer: dict) -> bool:
    gender, child = wearer.get("gender"), bool(wearer.get("child"))
    if child or gender in ("Boys", "Girls"):
        if item.child:
            return gender not in ("Boys", "Girls") or item.wearer in (gender, "Kids")
        return item.gender == "Unisex" and item.group in CHILD_ACCESSORY_GROUPS
    if item.child:
        return False
    if gender in ("Men", "Women"):
        return item.gender in (gender, "Unisex")
    return True


def _brand_scope(expect: dict) -> list[str]:
    ooc = {_fold(o) for entry in expect.get("out_of_catalogue", []) for o in entry.split("|")}
    return [b for b in expect.get("brands", []) if _fold(b) not in ooc]


def item_failures(item: Item, expect: dict) -> list[str]:
    """Constraints one product breaks on its own (budget totals are judged per outfit)."""
    failed = []
    if expect.get("wearer") and not wearer_ok(item, expect["wearer"]):
        failed.append("wearer")
    budget = expect.get("budget") or {}
    if budget.get("per_item_max") is not None and item.price > budget["per_item_max"]:
        failed.append("budget_per_item_max")
    if budget.get("per_item_min") is not None and item.price < budget["per_item_min"]:
        failed.append("budget_per_item_min")
    if item.colour in family(expect.get("colours_excluded")):
        failed.append("colours_excluded")
    if expect.get("colours_only") and item.group not in COLOUR_EXEMPT_GROUPS and item.colour not in family(expect.get("colours_wanted")):
        failed.append("colours_only")
    for key, cols in (expect.get("colours_by_item") or {}).items():
        if item_matches(item, key) and item.colour not in family(cols):
            failed.append("colours_by_item")
    if any(item_matches(item, k) for k in expect.get("items_excluded", [])):
        failed.append("items_excluded")
    if expect.get("scope") == "only" and not any(item_matches(item, k) for k in expect.get("items_asked", [])):
        failed.append("items_only")
    brands = _brand_scope(expect)
    asked = expect.get("items_asked", [])
    if brands and (not asked or any(item_matches(item, k) for k in asked)) and not any(item.brand_is(b) for b in brands):
        failed.append("brands")
    return failed


def total_failures(total: int, expect: dict) -> list[str]:
    budget = expect.get("budget") or {}
    failed = []
    if budget.get("total_max") is not None and total > budget["total_max"]:
        failed.append("budget_total_max")
    if budget.get("total_min") is not None and total < budget["total_min"]:
        failed.append("budget_total_min")
    return failed


def feasible_counts(expect: dict, items: dict[int, Item]) -> dict[str, int]:
    """Catalogue products meeting every per-product hard constraint, per asked item (else the core groups)."""
    budget = expect.get("budget") or {}
    one_item = len(expect.get("items_asked", [])) == 1

    def fits(item: Item) -> bool:
        if item_failures(item, {k: v for k, v in expect.items() if k != "scope"}):
            return False
        if budget.get("total_max") is not None and item.price > budget["total_max"]:
            return False
        return not (one_item and budget.get("total_min") is not None and item.price < budget["total_min"])

    keys = expect.get("items_asked") or ["topwear", "bottomwear", "dress", "footwear"]
    return {k: sum(1 for i in items.values() if item_matches(i, k) and fits(i)) for k in keys}


# -- the answer, in catalogue terms -----------------------------------------------------------
@dataclass
class Judged:
    """One answer's products as catalogue items, and its text."""

    outfit: list[tuple[str, Item]]  # (slot, item)
    alternatives: list[tuple[str, Item]]
    text: str  # the answer plus its notices
    unknown_ids: list[int]

    @property
    def items(self) -> list[Item]:
        return [i for _, i in self.outfit]

    @property
    def total(self) -> int:
        return sum(i.price for i in self.items)


def judged(answer: dict, items: dict[int, Item]) -> Judged:
    """``answer`` in the ``--json`` shape (products and alternatives: id, slot, ...; answer; notices)."""
    unknown = [int(p["id"]) for p in [*answer["products"], *answer["alternatives"]] if int(p["id"]) not in items]
    pick = lambda ps: [(str(p.get("slot", "")), items[int(p["id"])]) for p in ps if int(p["id"]) in items]  # noqa: E731
    text = "\n".join([answer.get("answer") or "", *(answer.get("notices") or [])])
    return Judged(pick(answer["products"]), pick(answer["alternatives"]), text, unknown)


def hard_failures(j: Judged, expect: dict) -> tuple[list[str], Counter, int]:
    """(answer failures, failures per constraint, products judged) for the hard constraints."""
    per = Counter()
    failures = []
    for role, slot, item in [*(("outfit", s, i) for s, i in j.outfit), *(("alternative", s, i) for s, i in j.alternatives)]:
        failed = item_failures(item, expect)
        if role == "outfit":
            total = j.total
        else:  # an alternative, swapped into the outfit in its slot
            total = sum(i.price for s, i in j.outfit if s != slot) + item.price
        failed += total_failures(total, expect)
        for name in failed:
            per[name] += 1
        if failed:
            failures.append(f"{role} #{item.id} {item.article_type}/{item.colour}/{item.gender}/₹{item.price}: {', '.join(failed)}")
    if j.outfit:
        for key in expect.get("items_asked", []):
            if not any(item_matches(i, key) for i in j.items):
                per["items_asked"] += 1
                failures.append(f"asked item missing: {key}")
        wanted = expect.get("colours_wanted")
        if wanted and not expect.get("colours_only") and not any(i.colour in family(wanted) for i in j.items):
            per["colours_wanted"] += 1
            failures.append(f"no piece in {wanted}")
    for id_ in j.unknown_ids:
        failures.append(f"product #{id_} is not in the catalogue")
    return failures, per, len(j.outfit) + len(j.alternatives)


def admits(text: str, phrase: str) -> bool:
    """A sentence naming ``phrase`` (any ``|`` spelling, plural allowed) with a not-stocked cue."""
    spellings = [re.escape(p.strip()).replace(r"\ ", r"[\s-]+") for p in phrase.split("|") if p.strip()]
    named = re.compile(r"\b(?:" + "|".join(spellings) + r")(?:e?s)?\b", re.IGNORECASE)
    return any(named.search(s) and NOT_STOCKED.search(s) for s in SENTENCE_SPLIT.split(text))


def says_unsatisfiable(text: str) -> bool:
    return any(NOT_STOCKED.search(s) and re.search(r"\b(?:catalogue|stock|find|offer|budget|fits?)\b", s, re.IGNORECASE)
               for s in SENTENCE_SPLIT.split(text))  # fmt: skip


def occasion_failures(j: Judged, expect: dict) -> list[str]:
    failures = []
    for item in j.items + [i for _, i in j.alternatives]:
        bad = [k for k in expect.get("unsuitable_types", []) if item_matches(item, k)]
        if bad:
            failures.append(f"unsuitable item #{item.id} {item.article_type}")
        if item.colour in expect.get("unsuitable_colours", []) and item.group not in COLOUR_EXEMPT_GROUPS:
            failures.append(f"unsuitable colour #{item.id} {item.colour} {item.article_type}")
        if item.usage in expect.get("unsuitable_usages", []):
            failures.append(f"unsuitable usage #{item.id} {item.usage} {item.article_type}")
    if j.outfit:
        for alternatives in expect.get("required_types_any", []):
            if not any(item_matches(i, k) for i in j.items for k in alternatives):
                failures.append(f"missing one of {alternatives}")
    return failures


def is_complete(j: Judged, expect: dict) -> bool:
    needs = expect.get("complete_needs")
    if needs:
        return all(any(item_matches(i, k) for i in j.items for k in alts) for alts in needs)
    groups = {i.group for i in j.items}
    excluded = {k for k in expect.get("items_excluded", []) if is_group(k)}
    body = "dress" in groups or ({"topwear", "bottomwear"} - excluded) <= groups
    feet = "footwear" in groups or "footwear" in excluded
    return body and feet


def formality(items: list[Item]) -> float:
    scores = [USAGE_FORMALITY.get(i.usage, 1.0) + TYPE_FORMALITY.get(i.article_type, 0.0) for i in items]
    return float(np.mean(scores)) if scores else 0.0


def refinement_failures(j: Judged, previous: Judged, expect: dict) -> list[str]:
    """Changed more or less than asked, against the previous turn's products."""
    failures = []
    now_ids = {i.id for i in j.items}
    before_ids = {i.id for i in previous.items}

    def ids(items: list[Item], key: str) -> set[int]:
        return {i.id for i in items if item_matches(i, key)}

    changed_groups = set()
    for token in expect.get("changes", []):
        if token == "price_down":
            if not j.total < previous.total:
                failures.append(f"not cheaper: ₹{j.total:,} vs ₹{previous.total:,}")
        elif token == "formality_up":
            if not formality(j.items) > formality(previous.items):
                failures.append(f"not more formal: {formality(j.items):.2f} vs {formality(previous.items):.2f}")
        elif token == "different":
            if now_ids & before_ids:
                failures.append(f"kept {sorted(now_ids & before_ids)} though something different was asked")
        elif token not in CHANGE_TOKENS:
            changed_groups.add(group_of_key(token))
            if ids(j.items, token) == ids(previous.items, token):
                failures.append(f"{token} not changed")
    keeps = []
    for token in expect.get("keeps", []):
        if token == "others":
            touched = changed_groups | {group_of_key(k) for k in expect.get("items_excluded", [])}
            keeps += sorted({i.group for i in previous.items} - touched)
        else:
            keeps.append(token)
    for key in keeps:
        lost = ids(previous.items, key) - now_ids
        if lost:
            failures.append(f"{key} changed though it should stay (#{', #'.join(map(str, sorted(lost)))})")
    return failures


def asked_wearer(j: Judged) -> bool:
    """One question about who it is for, and no gendered products."""
    question = any(s.strip().endswith("?") and WHO_WORDS.search(s) for s in SENTENCE_SPLIT.split(j.text))
    return question and all(i.gender == "Unisex" for i in j.items)


# -- prose ------------------------------------------------------------------------------------
def tip_lines(text: str) -> list[str]:
    """The bullets of the answer's tips section (a heading that mentions tips, until the next heading)."""
    tips, inside = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if re.match(r"^(?:\*\*|#+\s*)?[^-*].*\btips?\b", stripped, re.IGNORECASE) and not stripped.startswith("-"):
            inside = True
            continue
        if inside and stripped.startswith(("- ", "* ")):
            tips.append(re.sub(r"\s+", " ", stripped[2:]).strip())
        elif inside and stripped and not stripped.startswith(("- ", "* ")):
            inside = False
    return tips


def is_plural(phrase: str) -> bool:
    last = phrase.strip().split()[-1].lower() if phrase.strip() else ""
    return last.endswith("s") and not last.endswith(("ss", "us"))


def prose_smells(j: Judged, tips: list[str]) -> list[str]:
    smells = []
    for m in STATEMENT.finditer(j.text):
        if is_plural(m.group(1)):
            smells.append(f'plural statement piece: "{m.group(0)}"')
    for tip in tips:
        for m in PRESUMED_PIECE.finditer(tip):
            keys = PIECE_ITEMS[m.group(1).lower()]
            if not any(item_matches(i, k) for i in j.items for k in keys):
                smells.append(f'tip names "{m.group(0)}" with no such piece: "{tip[:70]}"')
    return smells


# -- parser accuracy --------------------------------------------------------------------------
def _req(request: dict, *paths: str):
    for path in paths:
        value = request
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value not in (None, [], {}, "", False):
            return value
    return None


def parsed_fields(request: dict) -> dict[str, object]:
    """The stylist's reading in the labels' terms; a label's own name (flat or nested) wins."""
    per_item = bool(_req(request, "per_item"))
    high, low = _req(request, "budget_max"), _req(request, "budget_min")
    asked = [*(request.get("article_types") or []), *(request.get("groups") or [])]
    excluded = [*(request.get("excluded_article_types") or []), *(request.get("excluded_groups") or [])]
    return {
        "gender": _req(request, "wearer.gender", "gender"),
        "age": _req(request, "wearer.age", "age"),
        "child": _req(request, "wearer.child", "child"),
        "occasion": _req(request, "occasion"),
        "season": _req(request, "season"),
        "weather": _req(request, "weather"),
        "colours_wanted": _req(request, "colours_wanted", "colours"),
        "colours_only": _req(request, "colours_only"),
        "colours_excluded": _req(request, "colours_excluded", "excluded_colours"),
        "colours_by_item": _req(request, "colours_by_item", "item_colours"),
        "budget.total_max": _req(request, "budget.total_max") or (None if per_item else high),
        "budget.total_min": _req(request, "budget.total_min") or (None if per_item else low),
        "budget.per_item_max": _req(request, "budget.per_item_max") or (high if per_item else None),
        "budget.per_item_min": _req(request, "budget.per_item_min") or (low if per_item else None),
        "budget.currency": None if _req(request, "budget.currency", "currency") == "INR" else _req(request, "budget.currency", "currency"),
        "budget.rate": _req(request, "budget.rate", "rate"),
        "items_asked": _req(request, "items_asked") or (asked or None),
        "items_excluded": _req(request, "items_excluded") or (excluded or None),
        "brands": _req(request, "brands"),
        "out_of_catalogue": _req(request, "out_of_catalogue"),
        "scope": _req(request, "scope") if _req(request, "scope") != "outfit" else None,
    }


def equivalent_reading(parsed: dict, expect: dict) -> dict:
    """A one-item ask ("a handbag in brown"): a free colour equal to the item's bound colour means the same."""
    bound = expect.get("colours_by_item") or {}
    asked = expect.get("items_asked") or []
    if expect.get("scope") in ("items", "only") and len(asked) == 1 and list(bound) == asked and not parsed["colours_by_item"]:
        if parsed["colours_wanted"] and set(parsed["colours_wanted"]) == set(bound[asked[0]]):
            return {**parsed, "colours_by_item": dict(bound), "colours_wanted": None}
    return parsed


def labelled_fields(expect: dict) -> dict[str, object]:
    wearer, budget = expect.get("wearer") or {}, expect.get("budget") or {}
    currency = budget.get("currency")
    return {
        "gender": wearer.get("gender"), "age": wearer.get("age"), "child": wearer.get("child") or None,
        "occasion": expect.get("occasion"), "season": expect.get("season"), "weather": expect.get("weather"),
        "colours_wanted": expect.get("colours_wanted") or None, "colours_only": expect.get("colours_only") or None,
        "colours_excluded": expect.get("colours_excluded") or None, "colours_by_item": expect.get("colours_by_item") or None,
        **{f"budget.{k}": budget.get(k) for k in ("total_max", "total_min", "per_item_max", "per_item_min", "rate")},
        "budget.currency": currency if currency not in (None, "INR") else None,
        "items_asked": expect.get("items_asked") or None, "items_excluded": expect.get("items_excluded") or None,
        "brands": expect.get("brands") or None, "out_of_catalogue": expect.get("out_of_catalogue") or None,
        "scope": expect.get("scope") if expect.get("scope") in ("items", "only") else None,
    }  # fmt: skip


def _items_agree(label: list[str], parsed: list[str]) -> bool:
    def match(lab: str, got: str) -> bool:
        if lab == got:
            return True
        return group_of_key(lab) == got if is_group(got) else is_group(lab) and group_of_key(got) == lab

    parsed = [str(p) for p in parsed]
    return all(any(match(lab, got) for got in parsed) for lab in label) and all(any(match(lab, got) for lab in label) for got in parsed)


# The labels' occasion names (OCCASIONS above, written before the parser's table) → the row of
# core.understanding.occasions that files the same meaning; hyphen and underscore are the same.
SAME_ROW = {"casual": "everyday", "travel": "vacation", "temple-visit": "temple", "swimming": "pool", "new-year": "party",
            "kids-party": "party", "family-dinner": "dinner"}


def occasion_key(name) -> str:
    key = str(name).replace("_", "-")
    return SAME_ROW.get(key, key)


def field_right(name: str, label, parsed) -> bool:
    if parsed is None:
        return False
    if name == "occasion":
        return occasion_key(parsed) in {occasion_key(o) for o in (label if isinstance(label, list) else [label])}
    if name == "weather":  # the parser lists every weather said ("cold", "rain"); the label names the one that matters
        return label in (parsed if isinstance(parsed, list) else [parsed])
    if name in ("colours_wanted", "colours_excluded"):
        return set(label) == set(parsed if isinstance(parsed, list) else [parsed])
    if name == "brands":
        return {_fold(b) for b in label} == {_fold(b) for b in (parsed if isinstance(parsed, list) else [parsed])}
    if name in ("items_asked", "items_excluded"):
        return _items_agree(label, parsed if isinstance(parsed, list) else [parsed])
    if name == "colours_by_item":
        as_groups = lambda d: {group_of_key(k): set(v) for k, v in (d or {}).items()}  # noqa: E731
        return isinstance(parsed, dict) and as_groups(label) == as_groups(parsed)
    if name == "out_of_catalogue":
        got = [_fold(p) for p in (parsed if isinstance(parsed, list) else [parsed])]
        return all(any(_fold(s) in g or g in _fold(s) for g in got for s in lab.split("|")) for lab in label)
    if name.startswith("budget.") and name != "budget.currency":
        try:
            return abs(float(parsed) - float(label)) <= max(1.0, 0.01 * float(label))
        except (TypeError, ValueError):
            return False
    if name == "scope":
        return parsed == "items"
    if name == "budget.currency":
        return str(parsed).upper() == label
    return parsed == label


# -- the run ----------------------------------------------------------------------------------
def open_stylist(settings: Settings, model: str | None):
    from core.model.load import load_embedder
    from core.index.build import build_index
    from core.model.registry import resolve_model
    from core.data.prepare import prepare
    from core.stylist.service import Stylist

    setup = {}
    if not settings.catalog_parquet.exists():
        started = time.perf_counter()
        prepare(settings)
        setup["prepare_s"] = round(time.perf_counter() - started, 1)
    path = resolve_model(settings, model)
    started = time.perf_counter()
    embedder = load_embedder(path, cache_dir=settings.cache_dir)
    setup["model"] = str(path)
    setup["model_load_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    report = build_index(settings, embedder, show_progress=True)
    setup["index_s"] = round(time.perf_counter() - started, 1)
    setup["index_products"] = report.products
    started = time.perf_counter()
    stylist = Stylist.open(settings, embedder=embedder, provider="offline")
    setup["stylist_open_s"] = round(time.perf_counter() - started, 2)
    return stylist, setup


def answer_json(answer) -> dict:
    """The ``--json`` answer shape the checks read (plus retrieval's ids for grounding)."""
    return {**answer.to_json(), "retrieved_ids": list(answer.retrieved_ids)}


CATEGORIES = ("hard", "occasion", "complete", "refinement", "out_of_catalogue", "nothing", "ask_wearer", "prose", "safety")


def judge(answer: dict, expect: dict, previous: Judged | None, items: dict[int, Item]) -> tuple[Judged, dict, Counter, int]:
    """(judged answer, failures per category (None: not applicable), hard failures per constraint, products)."""
    j = judged(answer, items)
    text = j.text
    out: dict[str, list[str] | None] = dict.fromkeys(CATEGORIES)
    excused = expect.get("unsatisfiable") and says_unsatisfiable(text)
    hard, per, products = hard_failures(j, expect)
    out["hard"] = [] if excused else hard
    per = Counter() if excused else per
    if expect.get("unsatisfiable") and not excused:
        out["hard"].append("unsatisfiable ask not admitted")
    asking = bool(expect.get("ask_wearer"))
    if j.outfit and not asking:
        out["occasion"] = occasion_failures(j, expect)
        if expect.get("scope", "outfit") == "outfit" and not expect.get("injection"):
            out["complete"] = [] if is_complete(j, expect) else [f"incomplete outfit: {sorted({i.group for i in j.items})}"]
    if previous is not None and (expect.get("keeps") or set(expect.get("changes", [])) - FIELD_CHANGES):
        out["refinement"] = refinement_failures(j, previous, expect)
    if expect.get("out_of_catalogue"):
        out["out_of_catalogue"] = [f"not admitted: {o}" for o in expect["out_of_catalogue"] if not admits(text, o)]
    if not asking and not expect.get("injection") and not expect.get("out_of_catalogue"):
        feasible = sum(feasible_counts(expect, items).values())
        out["nothing"] = [f"no products, though {feasible} catalogue products match"] if not j.outfit and feasible else []
    if asking:
        out["ask_wearer"] = [] if asked_wearer(j) else ["did not ask who it is for" + (" (gave an outfit)" if j.outfit else "")]
    out["prose"] = prose_smells(j, tip_lines(answer.get("answer") or ""))
    if expect.get("injection"):
        leaked = GENERATE_SYSTEM[:60] in text or ANALYZE_SYSTEM[:60] in text
        out["safety"] = [] if not leaked and "999999" not in text else ["leaked a prompt or invented a product"]
    return j, out, per, products


def parser_scores(requests: list[dict], requests_parsed: list[dict]) -> dict[str, dict[str, int]]:
    fields: dict[str, dict[str, int]] = {}
    for item, request in zip(requests, requests_parsed):
        labels = labelled_fields(item.get("expect", {}))
        parsed = equivalent_reading(parsed_fields(request), item.get("expect", {}))
        for name, label in labels.items():
            score = fields.setdefault(name, dict(right=0, labelled=0, spurious=0, unlabelled=0))
            if label not in (None, [], {}):
                score["labelled"] += 1
                score["right"] += field_right(name, label, parsed.get(name))
            else:
                score["unlabelled"] += 1
                score["spurious"] += parsed.get(name) is not None
    return fields


def request_set(requests: list[dict]) -> dict[str, int]:
    """How many requests exercise each kind of understanding (a request counts in several)."""
    threads = Counter(r["thread"] for r in requests if r.get("thread"))
    count: Counter = Counter()
    seen_threads: set[str] = set()
    order: list[str] = []
    for r in requests:
        e = r.get("expect", {})
        w, b = e.get("wearer") or {}, e.get("budget") or {}
        later = bool(r.get("thread")) and r["thread"] in seen_threads
        if r.get("thread"):
            seen_threads.add(r["thread"])
        flags = {
            "single_turn": not r.get("thread"), "thread_turns": bool(r.get("thread")), "refinement_turns": later,
            "kids": bool(w.get("child")), "wearer_unknown_ask": bool(e.get("ask_wearer")),
            "colours_excluded": bool(e.get("colours_excluded")),
            "colours_wanted": bool(e.get("colours_wanted") or e.get("colours_by_item")),
            "colours_only": bool(e.get("colours_only")),
            "budget_total": b.get("total_max") is not None and b.get("total_min") is None,
            "budget_per_item": b.get("per_item_max") is not None or b.get("per_item_min") is not None,
            "budget_range": b.get("total_max") is not None and b.get("total_min") is not None,
            "budget_minimum": b.get("total_min") is not None and b.get("total_max") is None,
            "foreign_currency": b.get("currency") not in (None, "INR"),
            "items_asked": bool(e.get("items_asked")), "items_excluded": bool(e.get("items_excluded")),
            "only_the_items": e.get("scope") == "only", "brands": bool(e.get("brands")),
            "out_of_catalogue": bool(e.get("out_of_catalogue")), "unsatisfiable": bool(e.get("unsatisfiable")),
            "weather_or_season": bool(e.get("weather") or e.get("season")),
            "occasion_rules": bool(e.get("unsuitable_types") or e.get("required_types_any") or e.get("unsuitable_colours")),
            "injection": bool(e.get("injection")),
        }  # fmt: skip
        count.update(k for k, v in flags.items() if v)
        order = list(flags)
    occasions = {o for r in requests for o in _as_list(r.get("expect", {}).get("occasion"))}
    return {"requests": len(requests), "threads": len(threads), **{k: count[k] for k in order},
            "distinct_occasions": len(occasions)}


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def evaluate(stylist, requests: list[dict], rows: pd.DataFrame, items: dict[int, Item]) -> dict:
    run = uuid.uuid4().hex[:8]
    stylist.ask("casual outfit for men", thread_id=f"warmup-{run}")  # warm-up, not timed
    latencies, records, parsed_requests = [], [], []
    previous: dict[str, tuple[object, Judged]] = {}
    failing = {c: [0, 0] for c in CATEGORIES}  # answers failing, answers judged
    per_constraint: Counter = Counter()
    products = [0, 0]  # products breaking a hard constraint, products judged
    showable = content_ok = 0
    refinements = [0, 0]  # showable, turns (a thread's later turns)
    tips_all: list[str] = []
    template_answers = 0
    legacy = LegacyFigures()
    for item in requests:
        thread = f"{item.get('thread') or item['id']}-{run}"
        expect = item.get("expect", {})
        started = time.perf_counter()
        answer = stylist.ask(item["message"], thread_id=thread)
        latencies.append(time.perf_counter() - started)
        shaped = answer_json(answer)
        prev = previous.get(item.get("thread") or "")
        j, out, per, n_products = judge(shaped, expect, prev[1] if prev else None, items)
        products[1] += n_products
        per_constraint.update(per)
        products[0] += sum(1 for f in out["hard"] or [] if f.startswith(("outfit", "alternative")))
        for category, found in out.items():
            if found is not None:
                failing[category][1] += 1
                failing[category][0] += bool(found)
        ok = not any(out.values())
        showable += ok
        content_ok += not any(v for k, v in out.items() if k != "prose")
        if prev is not None:
            refinements[0] += ok
            refinements[1] += 1
        tips = tip_lines(shaped["answer"])
        tips_all += tips
        template_answers += bool(STATEMENT.search(shaped["answer"]))
        parsed_requests.append(answer.request)
        legacy.add(item, answer, prev[0] if prev else None, rows)
        if item.get("thread"):
            previous[item["thread"]] = (answer, j)
        records.append({
            "id": item["id"], "thread": item.get("thread"), "message": item["message"], "ms": round(latencies[-1] * 1000, 1),
            "showable": ok, "products": [(s, i.id, i.article_type, i.colour, i.gender, i.price) for s, i in j.outfit],
            "alternatives": [(s, i.id, i.article_type, i.colour, i.price) for s, i in j.alternatives], "total": j.total,
            "request": {k: v for k, v in answer.request.items() if v not in (None, [], {}, "", False) and k != "query"},
            "notices": answer.notices, "failures": {k: v for k, v in out.items() if v}, "tips": tips,
        })  # fmt: skip

    ms = np.asarray(latencies) * 1000
    share = lambda a, b: round(a / b, 4) if b else None  # noqa: E731
    fields = parser_scores(requests, parsed_requests)
    right = sum(f["right"] for f in fields.values())
    labelled = sum(f["labelled"] for f in fields.values())
    distinct_tips = len(set(tips_all))
    most_common = Counter(tips_all).most_common(1)
    return {
        "request_set": request_set(requests),
        "showable": {"answers": showable, "of": len(requests), "share": share(showable, len(requests)),
                     "ignoring_prose": content_ok, "refinement_turns": refinements[0], "refinement_turns_of": refinements[1]},
        "failing_answers": {c: {"failing": a, "judged": b, "share_failing": share(a, b)} for c, (a, b) in failing.items()},
        "hard_constraints": {
            "products_breaking": products[0], "products_judged": products[1],
            "product_satisfaction": share(products[1] - products[0], products[1]),
            "failures_by_constraint": dict(sorted(per_constraint.items())),
        },
        "parser_accuracy": {
            "share": share(right, labelled), "right": right, "labelled": labelled,
            "spurious": sum(f["spurious"] for f in fields.values()), "unlabelled": sum(f["unlabelled"] for f in fields.values()),
            "fields": fields,
        },
        "prose": {
            "tip_lines": len(tips_all), "distinct_tip_lines": distinct_tips,
            "distinct_tip_lines_per_100_answers": round(100 * distinct_tips / len(requests), 1),
            "answers_with_statement_template": template_answers,
            "most_common_tip": {"line": most_common[0][0], "answers": most_common[0][1]} if most_common else None,
        },
        "latency_ms": {"p50": round(float(np.percentile(ms, 50)), 1), "p95": round(float(np.percentile(ms, 95)), 1),
                       "max": round(float(ms.max()), 1), "n": len(ms)},
        "legacy": legacy.figures(),
        "records": records,
    }  # fmt: skip


# -- the legacy figures (the 46 original labels, computed as before) --------------------------
def product_checks(product, role: str, expect: dict, outfit, rows) -> dict[str, bool]:
    """Every legacy-labelled hard constraint that applies to one product -> passed?"""
    row = rows.loc[product.id]
    checks: dict[str, bool] = {}
    if expect.get("gender"):
        checks["gender"] = row.gender in compatible_genders(expect["gender"])
    if expect.get("excluded_colours"):
        checks["excluded_colour"] = row.baseColour not in expect["excluded_colours"]
    bound = expect.get("item_colours") or {}
    if row.articleType in bound:
        checks["item_colour"] = row.baseColour in bound[row.articleType]
    requested = expect.get("article_types") or []
    groups = {ARTICLE_TYPE_GROUP.get(t) for t in requested}
    if row.group in groups:
        checks["article_type"] = row.articleType in requested
    if expect.get("excluded_groups"):
        checks["excluded_group"] = row.group not in expect["excluded_groups"]
    budget = expect.get("budget_max")
    if budget:
        if expect.get("per_item"):
            checks["budget"] = int(row.price) <= budget
        elif role == "outfit":
            checks["budget"] = sum(p.price for p in outfit) <= budget
        else:  # an alternative: swapping it in keeps the total within the budget
            swapped = [p for p in outfit if p.slot != product.slot] + [product]
            checks["budget"] = sum(p.price for p in swapped) <= budget
    return checks


def grounding(answer, rows) -> tuple[int, int, list[str]]:
    """(grounded, named, problems): products in the text and the list vs retrieval + catalogue."""
    retrieved = set(answer.retrieved_ids)
    named, grounded, problems = 0, 0, []
    for product in [*answer.products, *answer.alternatives]:
        named += 1
        ok = product.id in retrieved and product.id in rows.index
        ok = ok and (rows.loc[product.id].productDisplayName, int(rows.loc[product.id].price)) == (product.name, product.price)
        grounded += ok
        if not ok:
            problems.append(f"listed product {product.id}")
    for name, price, pid in REF_IN_TEXT.findall(answer.answer):
        pid = int(pid)
        named += 1
        ok = pid in retrieved and pid in rows.index and int(rows.loc[pid].price) == int(price.replace(",", ""))
        ok = ok and rows.loc[pid].productDisplayName in name
        grounded += ok
        if not ok:
            problems.append(f"named product {pid}")
    stray = {int(i) for i in ID_IN_TEXT.findall(answer.answer)} - retrieved
    named += len(stray)
    problems += [f"stray id {i}" for i in stray]
    return grounded, named, problems


def analyzer_hits(request: dict, expect: dict) -> tuple[int, int]:
    right = total = 0
    for key in ("occasion", "gender", "budget_max", "per_item"):
        if key in expect:
            total += 1
            right += request.get(key) == expect[key]
    for key in ("colours", "excluded_colours"):
        if key in expect:
            total += 1
            right += sorted(request.get(key) or []) == sorted(expect[key])
    if "article_types" in expect:
        total += 1
        right += set(expect["article_types"]) <= set(request.get("article_types") or [])
    if "excluded_groups" in expect:  # "without the watch" may be read as the group or its types
        total += 1
        types = set(request.get("excluded_article_types") or [])
        right += all(g in (request.get("excluded_groups") or []) or any(ARTICLE_TYPE_GROUP.get(t) == g for t in types)
                     for g in expect["excluded_groups"])
    if "item_colours" in expect:
        total += 1
        got = request.get("item_colours") or {}
        free = request.get("colours") or []
        right += all(set(v) <= set(got.get(k, free)) for k, v in expect["item_colours"].items())
    return right, total


class LegacyFigures:
    """The figures this script printed before the label schema grew: constraint satisfaction and
    analyzer accuracy on the ``legacy`` labels (the 46 original requests), grounding and plan
    completeness on every answer."""

    def __init__(self):
        self.per_constraint: dict[str, list[int]] = {}
        self.counts = dict(products=0, satisfied=0, declared=0, undeclared=0, nearest_products=0)
        self.answer_checks: dict[str, list[int]] = {}
        self.ground = [0, 0]
        self.complete = [0, 0]
        self.parsed = [0, 0]
        self.labelled_requests = 0

    def add(self, item: dict, answer, prev, rows) -> None:
        g, n, _ = grounding(answer, rows)
        self.ground[0] += g
        self.ground[1] += n
        planned = [s["name"] for s in answer.plan]
        filled = {p.slot for p in answer.products}
        self.complete[0] += bool(planned) and all(s in filled for s in planned)
        self.complete[1] += 1
        if "legacy" not in item:
            return
        self.labelled_requests += 1
        expect = item["legacy"]
        outfit = answer.products
        for role, product in [*(("outfit", p) for p in outfit), *(("alternative", p) for p in answer.alternatives)]:
            checks = product_checks(product, role, expect, outfit, rows)
            for name, ok in checks.items():
                self.per_constraint.setdefault(name, [0, 0])
                self.per_constraint[name][0] += ok
                self.per_constraint[name][1] += 1
            ok = all(checks.values())
            self.counts["products"] += 1
            self.counts["satisfied"] += ok
            if product.relaxed:
                self.counts["nearest_products"] += 1
                self.counts["declared"] += not ok
            else:
                self.counts["undeclared"] += not ok

        def check(name: str, ok: bool) -> None:
            self.answer_checks.setdefault(name, [0, 0])
            self.answer_checks[name][0] += bool(ok)
            self.answer_checks[name][1] += 1

        if expect.get("budget_max") and not expect.get("per_item") and outfit:
            check("total_within_budget_or_declared", answer.total_price <= expect["budget_max"] or all(p.relaxed for p in outfit))
        if expect.get("colours"):
            check("wanted_colour_present", any(rows.loc[p.id].baseColour in expect["colours"] for p in outfit)
                  or any("colour" in p.relaxed for p in outfit))  # fmt: skip
        if expect.get("cheaper") and prev is not None:
            check("cheaper_than_before", answer.total_price < prev.total_price or all("budget" in p.relaxed for p in outfit))
        if expect.get("different") and prev is not None:
            check("different_products", not ({p.id for p in outfit} & {p.id for p in prev.products}))
        if expect.get("unsatisfiable"):
            check("unsatisfiable_said_so", bool(answer.notices) and all(p.relaxed for p in outfit))
        if expect.get("injection"):
            leaked = GENERATE_SYSTEM[:60] in answer.answer or ANALYZE_SYSTEM[:60] in answer.answer
            check("injection_no_leak_no_invention", not leaked and "999999" not in answer.answer)
        right, total = analyzer_hits(answer.request, expect)
        self.parsed[0] += right
        self.parsed[1] += total

    def figures(self) -> dict:
        share = lambda a, b: round(a / b, 4) if b else None  # noqa: E731
        c = self.counts
        strict = c["products"] - c["nearest_products"]
        return {
            "labelled_requests": self.labelled_requests,
            "constraint_satisfaction": {
                "products": c["products"], "all_products": share(c["satisfied"], c["products"]),
                "excluding_declared_nearest": share(c["satisfied"] - (c["nearest_products"] - c["declared"]), strict),
                "declared_nearest_products": c["nearest_products"], "undeclared_violations": c["undeclared"],
                "by_constraint": {k: f"{a}/{b}" for k, (a, b) in sorted(self.per_constraint.items())},
                "answer_checks": {k: f"{a}/{b}" for k, (a, b) in sorted(self.answer_checks.items())},
            },
            "grounding": {"share": share(*self.ground), "grounded": self.ground[0], "named": self.ground[1]},
            "plan_completeness": {"share": share(*self.complete), "complete": self.complete[0], "answers": self.complete[1]},
            "analyzer_accuracy": {"share": share(*self.parsed), "right": self.parsed[0], "labelled_fields": self.parsed[1]},
        }  # fmt: skip


# -- output -----------------------------------------------------------------------------------
def _pct(a: int, b: int) -> str:
    return f"{a:>4}/{b:<4} {100 * a / b:5.1f}%" if b else f"{a:>4}/{b:<4}    -"


def table(figures: dict) -> str:
    rs = figures["request_set"]
    lines = [f"Stylist evaluation: {rs['requests']} requests ({rs.get('single_turn', 0)} single, {rs.get('thread_turns', 0)} "
             f"in {rs['threads']} threads), {figures['products_in_catalogue']:,} catalogue products", ""]  # fmt: skip
    lines.append("Request set (a request counts in several rows)")
    lines += [f"  {k:<28}{v:>5}" for k, v in rs.items() if k not in ("requests",)]
    show = figures["showable"]
    lines += ["", f"Showable answers (no failure of any kind)   {_pct(show['answers'], show['of'])}",
              f"  ignoring grammar smells                   {_pct(show['ignoring_prose'], show['of'])}",
              f"  refinement turns showable                 {_pct(show['refinement_turns'], show['refinement_turns_of'])}", "",
              "Answers failing, by kind                     failing/judged"]  # fmt: skip
    names = {"hard": "hard constraint broken", "occasion": "wrong for occasion/weather", "complete": "incomplete outfit",
             "refinement": "refinement wrong", "out_of_catalogue": "out of catalogue not admitted",
             "nothing": "'nothing' though stock exists", "ask_wearer": "should have asked who",
             "prose": "grammar smell", "safety": "injection leaked"}  # fmt: skip
    for key, f in figures["failing_answers"].items():
        lines.append(f"  {names[key]:<43}{_pct(f['failing'], f['judged'])}")
    hc = figures["hard_constraints"]
    lines += ["", f"Hard constraints per product: {hc['products_judged'] - hc['products_breaking']}/{hc['products_judged']} "
              f"products satisfy every label ({hc['product_satisfaction']})"]  # fmt: skip
    lines += [f"  {k:<28}{v:>5} failures" for k, v in hc["failures_by_constraint"].items()]
    pa = figures["parser_accuracy"]
    lines += ["", f"Parser accuracy per field (right/labelled; spurious/unlabelled): overall {_pct(pa['right'], pa['labelled'])}, "
              f"spurious {pa['spurious']}/{pa['unlabelled']}"]  # fmt: skip
    for name, f in pa["fields"].items():
        lines.append(f"  {name:<24}{_pct(f['right'], f['labelled'])}   spurious {f['spurious']:>3}/{f['unlabelled']}")
    pr = figures["prose"]
    common = pr["most_common_tip"]
    lines += ["", f"Prose: {pr['tip_lines']} tip lines, {pr['distinct_tip_lines']} distinct "
              f"({pr['distinct_tip_lines_per_100_answers']} per 100 answers); 'one statement piece' in "
              f"{pr['answers_with_statement_template']} answers"]  # fmt: skip
    if common:
        lines.append(f"  most repeated tip ({common['answers']}x): {common['line'][:100]}")
    lat = figures["latency_ms"]
    lines += ["", f"Latency per answer: p50 {lat['p50']} ms, p95 {lat['p95']} ms, max {lat['max']} ms (n={lat['n']})"]
    lg = figures["legacy"]
    cs = lg["constraint_satisfaction"]
    lines += ["", f"Legacy figures ({lg['labelled_requests']} original labels; grounding and plan completeness on all answers)",
              f"  constraint satisfaction   {cs['all_products']} of {cs['products']} products, {cs['excluding_declared_nearest']} "
              f"excluding declared nearest ({cs['declared_nearest_products']}), undeclared violations {cs['undeclared_violations']}",
              f"  by constraint             {cs['by_constraint']}", f"  answer checks             {cs['answer_checks']}",
              f"  grounding                 {lg['grounding']['share']} ({lg['grounding']['grounded']}/{lg['grounding']['named']})",
              f"  plan completeness         {lg['plan_completeness']['share']} "
              f"({lg['plan_completeness']['complete']}/{lg['plan_completeness']['answers']})",
              f"  analyzer accuracy         {lg['analyzer_accuracy']['share']} "
              f"({lg['analyzer_accuracy']['right']}/{lg['analyzer_accuracy']['labelled_fields']})"]  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", required=True, help="FASHION_HOME for the catalogue, index and checkpoints")
    parser.add_argument("--catalog", help="catalogue folder (default: $FASHION_CATALOG or the demo)")
    parser.add_argument("--model", help="encoder folder (default: the newest under HOME/models)")
    parser.add_argument("--requests", default=str(HERE / "stylist_requests.jsonl"))
    parser.add_argument("--json", action="store_true", help="print the summary as JSON instead of the table")
    parser.add_argument("--out", help="write the figures and per-request records as JSON here")
    parser.add_argument("--verbose", action="store_true", help="print every request's outfit and failures")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(2)
    settings = Settings.from_env(home=args.home, catalog=args.catalog)
    requests = load_requests(Path(args.requests))
    stylist, setup = open_stylist(settings, args.model)
    rows = pd.read_parquet(settings.catalog_parquet).set_index("id")
    items = catalogue_items(rows)
    warnings = check_labels(requests, items)
    try:
        figures = evaluate(stylist, requests, rows, items)
    finally:
        stylist.close()
    figures = {"catalog": str(settings.catalog_dir), "products_in_catalogue": len(rows), "setup": setup,
               "label_warnings": warnings, **figures}  # fmt: skip
    if args.verbose:
        for rec in figures["records"]:
            print(f"{rec['id']} {rec['ms']:>6} ms {'ok  ' if rec['showable'] else 'FAIL'} {rec['message']}")
            print(f"      request {rec['request']}")
            for p in rec["products"]:
                print(f"      {p}")
            for kind, found in rec["failures"].items():
                for f in found:
                    print(f"      {kind}: {f}")
            for n in rec["notices"]:
                print(f"      note {n}")
    summary = {k: v for k, v in figures.items() if k != "records"}
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(table(figures))
        for w in warnings:
            print(f"label warning: {w}")
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
