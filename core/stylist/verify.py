"""Grounding checks: the answer may only name products that retrieval returned.

``verify_outfit`` drops any pick whose id is not among the retrieved products, or whose name or
price differs from the retrieved record (a pick can only be wrong if a node or a model tampered
with it). ``verify_answer`` reads the text: every ``#id`` must be a retrieved product, every
rupee amount must be a retrieved price, the outfit total, the budget, or an amount our own
notices state; a sentence that breaks this is removed. An answer that quotes the system prompt
is rejected outright. Outfit pieces the text forgot are appended, so the text and the product
list agree. If too little survives, the caller regenerates with the deterministic writer.
"""

from __future__ import annotations

import re

from core.stylist.generate import product_ref
from core.stylist.prompts import ANALYZE_SYSTEM, GENERATE_SYSTEM

ID_REF = re.compile(r"#\s?(\d{3,})")
AMOUNT = re.compile(r"(?:₹|\brs\.?|\binr)\s*(\d[\d,]*)", re.IGNORECASE)
LONG_NUMBER = re.compile(r"(?<![\d,.#₹])\b(\d{5,})\b")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
LEAK_WINDOW = 48


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
    answer: str, retrieved: dict[int, dict], outfit: list[dict], allowed_amounts: set[int]
) -> tuple[str, list[str]]:
    """(repaired answer, problems found); see the module docstring."""
    problems: list[str] = []
    allowed = set(allowed_amounts) | {int(p["price"]) for p in retrieved.values()}
    allowed.add(sum(int(p["price"]) for p in outfit))
    ids = set(retrieved)

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
