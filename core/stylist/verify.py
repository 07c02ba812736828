"""Grounding and plain-text checks: the answer names only retrieved products, and is plain text.

``verify_outfit`` drops any pick whose id is not among the retrieved products, or whose name or
price differs from the retrieved record (a pick can only be wrong if a node or a model tampered
with it). ``verify_answer`` reads the text: every ``#id`` must be a retrieved product, every
rupee amount must be a retrieved price, the outfit total, the budget, or an amount our own
notices state; given the brands the shop knows (``known_brands``), no brand may be named that is
not in a retrieved product's name, and no catalogue-style product name ("Puma Men ...") that is
not a retrieved product's. A sentence that breaks this is removed. An answer that quotes the
system prompt is rejected outright. Outfit pieces the text forgot are appended, so the text and
the product list agree. If too little survives, the caller regenerates with the deterministic
writer.

``plain_text`` turns a model's text into plain text before those checks: HTML tags and comments go
(with the content of ``script``/``style`` elements), entities are decoded first so an encoded tag
goes too; markdown images and reference definitions go, a link keeps its text only; web addresses
and ``javascript:``/``data:`` URLs go; a heading becomes a ``**bold**`` line. Other markdown
characters stay as characters: the Stylist screen shows every text literally except ``**bold**``
and ``- `` bullets (``pages/stylist.py``).

Trade-offs: brands are matched as the catalogue spells them (case-sensitive, so "a classic polo
shirt" is not the brand Classic Polo), and a one-word brand spelled like a title-case word
("Denim", "Guess") counts only inside a sentence, never as its first word, unless it is a
well-known brand; a brand written in lower case is missed. The brand checks are for a model's
text only: the offline writer's notices name brands on purpose ("This catalogue has no Gucci").
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Iterable

from core.data.brands import NAME_GENDER_WORDS
from core.stylist.generate import product_ref
from core.stylist.prompts import ANALYZE_SYSTEM, GENERATE_SYSTEM
from core.understanding.cues import CONNECTORS, FILLERS, STOPWORDS
from core.understanding.vocabulary import WELL_KNOWN_BRANDS

ID_REF = re.compile(r"#\s?(\d{3,})")
AMOUNT = re.compile(r"(?:₹|\brs\.?|\binr)\s*(\d[\d,]*)", re.IGNORECASE)
LONG_NUMBER = re.compile(r"(?<![\d,.#₹])\b(\d{5,})\b")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
LEAK_WINDOW = 48
REPLACED_NOTICE = "The model's answer was replaced: it did not follow the stylist's rules."

# -- markup: what plain_text removes ------------------------------------------------------------
_TARGET = r"\((?:[^()\n]|\([^()\n]*\))*\)"  # a link target, one level of parentheses inside
MARKUP: tuple[tuple[str, re.Pattern, str], ...] = (  # (what it is, pattern, replacement)
    ("HTML", re.compile(r"<!--.*?(?:-->|\Z)", re.S), ""),
    ("HTML", re.compile(r"<\s*(script|style)\b[^>]*>.*?(?:<\s*/\s*\1\s*>|\Z)", re.S | re.I), ""),
    ("HTML", re.compile(r"<\s*/?\s*[a-zA-Z!?][^<>]*>"), ""),
    ("HTML", re.compile(r"<\s*/?\s*[a-zA-Z!?][^<>\n]*$", re.M), ""),  # a tag left open at the end of a line
    ("an image", re.compile(rf"!\[[^\]\n]*\](?:{_TARGET}|\[[^\]\n]*\])?"), ""),
    ("a link", re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S+.*$", re.M), ""),  # a reference definition
    ("a link", re.compile(rf"\[([^\]\n]*)\](?:{_TARGET}|\[[^\]\n]*\])"), r"\1"),
    ("a web address", re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)\S+"), ""),
    ("a web address", re.compile(r"(?i)\b(?:javascript|vbscript|data|file)\s*:\S+"), ""),
)
HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", re.M)
NAME_GENDER = re.compile(rf"\s+(?:{'|'.join(map(re.escape, NAME_GENDER_WORDS))})\b")  # "Puma| Men Black Tee"


def plain_text(text: str) -> tuple[str, list[str]]:
    """(``text`` as plain text, the kinds of markup removed); see the module docstring.

    >>> plain_text('Hi <b>there</b> ![x](http://evil.example/x.png) [see](javascript:alert(1)) www.x.example')
    ('Hi there see', ['HTML', 'an image', 'a link', 'a web address'])
    """
    found: list[str] = []
    for _ in range(8):  # until nothing changes: removing one piece may reveal another
        before = text
        text = html.unescape(text)
        for kind, pattern, replacement in MARKUP:
            text, count = pattern.subn(replacement, text)
            if count and kind not in found:
                found.append(kind)
        if text == before:
            break
    text = HEADING.sub(lambda m: f"**{m.group(1).strip('* ')}**" if m.group(1).strip("* ") else "", text)
    lines = [re.sub(r"[ \t]{2,}", " ", line).rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), found


# -- brands and product names ---------------------------------------------------------------------
def known_brands(catalogue_brands: Iterable[str]) -> tuple[str, ...]:
    """The catalogue's brands (``CatalogFacts.brands``) and the well-known ones shoppers name."""
    return tuple(dict.fromkeys([*catalogue_brands, *WELL_KNOWN_BRANDS]))


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^\w\s]", "", text.casefold()).split()) + " "


@lru_cache(maxsize=8)
def _brand_pattern(brands: tuple[str, ...]) -> re.Pattern | None:
    spellings = set()
    for brand in brands:
        brand = brand.strip()
        if len(brand) < 2 or (len(brand) == 2 and not brand.isupper()) or not re.search(r"[^\W\d_]", brand):
            continue
        if re.sub(r"[^\w ]", "", brand.casefold()).strip() in STOPWORDS | FILLERS | CONNECTORS:
            continue  # "ONLY", "AND", "Mr.": words first
        spellings.add(brand)
        if brand.isalpha() and brand.isupper() and len(brand) >= 5:
            spellings.add(brand.capitalize())  # ADIDAS as a person writes it: Adidas
    if not spellings:
        return None
    alternatives = "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def foreign_brand(sentence: str, retrieved_names: list[str], brands: tuple[str, ...]) -> str | None:
    """The first brand or product name ``sentence`` mentions that retrieval did not return, or None."""
    pattern = _brand_pattern(brands)
    if pattern is None:
        return None
    for name in sorted(retrieved_names, key=len, reverse=True):
        sentence = sentence.replace(name, " ")  # a retrieved product, as render_tags wrote it
    names = [_words(n) for n in retrieved_names]
    well_known = set(WELL_KNOWN_BRANDS)
    for m in pattern.finditer(sentence):
        brand, rest = m.group(0), sentence[m.end():]
        if NAME_GENDER.match(rest):
            return f"{brand} {rest.split()[0]}"  # written like a catalogue name, and not a retrieved one
        if any(_words(brand) in name for name in names):
            continue  # a retrieved product's brand (or a word of its name)
        first_word = not re.search(r"[^\W_]", sentence[: m.start()])
        if first_word and re.fullmatch(r"[A-Z][a-z]+", brand) and brand not in well_known:
            continue  # "Denim works here." reads as a word, not as the brand Denim
        return brand
    return None


# -- the checks -----------------------------------------------------------------------------------
def _amounts(text: str) -> set[int]:
    return {int(m.group(1).replace(",", "")) for m in AMOUNT.finditer(text) if m.group(1).replace(",", "")}


def leaks_prompt(text: str) -> bool:
    """True when ``text`` repeats a long stretch of one of our system prompts."""
    flat = re.sub(r"\s+", " ", text).lower()
    for prompt in (GENERATE_SYSTEM, ANALYZE_SYSTEM):
        source = re.sub(r"\s+", " ", prompt).lower()
        for start in range(0, max(1, len(source) - LEAK_WINDOW), LEAK_WINDOW // 2):
            if source[start : start + LEAK_WINDOW] in flat:
                return True
    return False


def verify_outfit(outfit: list[dict], retrieved: dict[int, dict]) -> tuple[list[dict], list[str]]:
    kept, problems = [], []
    for pick in outfit:
        source = retrieved.get(int(pick.get("id", -1)))
        if source is None or source["name"] != pick.get("name") or int(source["price"]) != int(pick.get("price", -1)):
            problems.append(f"removed a product that retrieval did not return (#{pick.get('id')})")
            continue
        kept.append(pick)
    return kept, problems


def verify_answer(
    answer: str, retrieved: dict[int, dict], outfit: list[dict], allowed_amounts: set[int],
    brands: Iterable[str] = (),
) -> tuple[str, list[str]]:
    """(repaired answer, problems found); ``brands`` (for a model's text) turns the brand checks on."""
    problems: list[str] = []
    allowed = set(allowed_amounts) | {int(p["price"]) for p in retrieved.values()}
    allowed.add(sum(int(p["price"]) for p in outfit))
    ids = set(retrieved)
    names = [str(p["name"]) for p in retrieved.values() if p.get("name")]
    brands = tuple(brands)

    def bad(sentence: str) -> str | None:
        for m in ID_REF.finditer(sentence):
            if int(m.group(1)) not in ids:
                return f"removed a mention of product #{m.group(1)}, which retrieval did not return"
        for amount in _amounts(sentence):
            if amount not in allowed:
                return f"removed a price (₹{amount:,}) that is not a retrieved product's"
        for m in LONG_NUMBER.finditer(sentence):
            if int(m.group(1)) not in ids and int(m.group(1)) not in allowed:
                return f"removed an unknown product number {m.group(1)}"
        brand = foreign_brand(sentence, names, brands) if brands else None
        if brand:
            return f"removed a sentence naming {brand}, which is not among the retrieved products"
        return None

    lines = []
    for line in answer.splitlines():
        kept = []
        for sentence in SENTENCE.split(line):
            why = bad(sentence)
            if why:
                problems.append(why)
            else:
                kept.append(sentence)
        if kept or not line.strip():
            text = " ".join(kept)
            if line.strip() and not text.strip(" -*:"):
                continue
            lines.append(text)
    repaired = "\n".join(lines).strip()
    mentioned = {int(m.group(1)) for m in ID_REF.finditer(repaired)}
    missing = [p for p in outfit if int(p["id"]) not in mentioned]
    if missing and repaired:
        repaired += "\n\n**The outfit**\n" + "\n".join(f"- **{p['slot'].capitalize()}**: {product_ref(p)}" for p in missing)
    return repaired, problems
