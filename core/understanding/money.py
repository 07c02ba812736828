"""Budgets in a message: totals, per-item limits, ranges and minimums, in INR, with stated exchange rates.

A number is a price only with a cue: a currency ("₹3k", "3000 rupees", "$50"), a multiplier ("3k",
"1.5 lakh"), or a price word ("under 3000", "between 2000 and 4000", "at least 1500", "5,000
budget"); a bare "12345" is not a budget (it may be a product id), nor is "2-3 items" or "a 5k
run". "each", "per piece", "apiece" next to an amount make it a per-item limit. A foreign amount is
converted only at a rate the message states ("at 83 rupees a dollar", "1 EUR = 90 INR"); without
one nothing is guessed: the budget stays empty, ``needs_rate`` is set and the parser reports it.
Trade-off: the first total and the first per-item limit win; ``limits`` lists every one read, so the
parser can bind "a handbag under 2000 and a wallet under 1000" to the items, or report the extra.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.understanding.request import Budget, foreign

_CURRENCY = {
    "₹": "INR", "rs": "INR", "rs.": "INR", "inr": "INR", "rupee": "INR", "rupees": "INR", "/-": "INR", "bucks": "INR",
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
    "quid": "GBP", "aed": "AED", "dirham": "AED", "dirhams": "AED",
}  # fmt: skip
_MULTIPLIER = {"k": 1e3, "thousand": 1e3, "grand": 1e3, "lakh": 1e5, "lakhs": 1e5, "lac": 1e5, "lacs": 1e5,
               "crore": 1e7, "crores": 1e7, "cr": 1e7}
_PRE = r"₹|rs\.?|inr|us\$|\$|usd|€|eur|£|gbp|aed"
_POST = r"rupees?|rs\b\.?|inr\b|/-|bucks|dollars?|usd\b|euros?|eur\b|pounds?|gbp\b|quid|dirhams?|aed\b"
_MULT = r"k|thousand|grand|lakhs?|lacs?|crores?|cr"
_NOT_MONEY_AFTER = r"(?!\s*(?:run|race|marathon|walk|steps|followers|km|kms|years?|yrs?|items?|pieces?|pcs|people|kids))"


def _amount(p: str) -> str:
    return (rf"(?:(?P<{p}pre>{_PRE})\s?|(?<![\w.,$₹€£]))(?P<{p}num>\d{{1,3}}(?:,\d{{2,3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
            rf"(?:\s?(?P<{p}mult>{_MULT})\b)?(?:\s?(?P<{p}post>{_POST}))?{_NOT_MONEY_AFTER}")


_A, _B = _amount("a_"), _amount("b_")
_RATE_CURRENCY = r"(?P<cur>dollars?|usd|us\$|\$|euros?|eur|€|pounds?|gbp|£|quid|dirhams?|aed)"
_RATES = (
    re.compile(rf"\b1\s*{_RATE_CURRENCY}\s*(?:=|is|equals|to|:|->|→|at)\s*(?:₹|rs\.?|inr)?\s*(?P<rate>\d+(?:\.\d+)?)"
               rf"\s*(?:₹|rs\b\.?|inr\b|rupees?)?"),
    re.compile(rf"(?:\bat|@|\brate(?:\s+of)?|\bexchange\s+rate(?:\s+of)?|\btaking)\s*(?:₹|rs\.?|inr)?\s*"
               rf"(?P<rate>\d+(?:\.\d+)?)\s*(?:₹|rs\b\.?|inr\b|rupees?)?\s*(?:(?:a|an|per|/|to\s+(?:the|a|one|1)|for\s+"
               rf"(?:a|an|one|1)|each|=)\s*{_RATE_CURRENCY})?"),
    re.compile(rf"(?P<rate>\d+(?:\.\d+)?)\s*(?:₹|rs\b\.?|inr\b|rupees?)\s*(?:a|an|per|/|to\s+(?:the|a|one|1)|for\s+"
               rf"(?:a|an|one|1)|=)\s*{_RATE_CURRENCY}"),
)
_RANGES = (
    re.compile(rf"\bbetween\s+{_A}\s*(?:and|to|-|&)\s*{_B}"),
    re.compile(rf"\b(?:from|range(?:\s+of)?|in\s+the\s+range\s+of)\s+{_A}\s*(?:to|-|until|till)\s*{_B}"),
    re.compile(rf"{_A}\s*(?:to|-)\s*{_B}"),
)
_NEGATED = (  # read before the plain cues: "not over 2000" is a maximum, "not under 2000" a minimum
    ("max", re.compile(rf"\b(?:no\s+more\s+than|not\s+more\s+than|not\s+over|not\s+above|nothing\s+over|nothing\s+above|"
                       rf"never\s+over|not\s+exceeding)\s*:?\s*{_A}")),
    ("min", re.compile(rf"\b(?:no\s+less\s+than|not\s+less\s+than|not\s+below|not\s+under|nothing\s+under|"
                       rf"nothing\s+below)\s*:?\s*{_A}")),
)
_MAX = (
    re.compile(rf"\b(?:under|below|beneath|less\s+than|lower\s+than|cheaper\s+than|"
               rf"max(?:imum)?(?:\s+of)?|up\s?to|within|at\s+most|"
               rf"at\s+the\s+most|capped\s+at|cap(?:\s+of)?|limit(?:\s+of)?|(?:my\s+|the\s+|a\s+|total\s+)?budget"
               rf"(?:\s+(?:is|of|around|about|under|upto|up\s+to|max|only|just|roughly|approx))*|spend(?:ing)?"
               rf"(?:\s+(?:only|just|up\s+to|upto|max|around|about))?|around|about|approx(?:imately)?|roughly|for|"
               rf"i\s+have|i'?ve\s+got|i\s+can\s+spend|can\s+spend|with)\s*:?\s*{_A}"),
    re.compile(rf"{_A}\s*(?:or\s+less|or\s+under|or\s+below|and\s+below|and\s+under|or\s+lower|max(?:imum)?\b|tops\b|"
               rf"at\s+most|(?:total\s+)?budget\b|limit\b|cap\b)"),
)
_PER_ITEM_AMOUNT = re.compile(rf"{_A}(?=\s*(?:each|per\s+(?:item|piece|product|pair|article|one)|apiece|a\s+piece)\b)")
_MIN = (
    re.compile(rf"\b(?:above|over|more\s+than|at\s+least|min(?:imum)?(?:\s+of)?|starting(?:\s+(?:at|from))?|from|"
               rf"upwards\s+of)\s*:?\s*{_A}"),
    re.compile(rf"{_A}\s*(?:\+|(?:plus|or\s+more|and\s+above|and\s+over|and\s+up|upwards|or\s+above|minimum|min)\b)"),
)
_BARE = re.compile(_A)
_PER_BEFORE = re.compile(r"(?:\beach|\bper\s+(?:item|piece|product|pair|article|one)|\bevery\s+(?:item|piece|one)|"
                         r"\bfor\s+each)(?:\s+(?:one|item|piece|product))?\s*(?:should\s+be\s+|is\s+|at\s+)?$")
_PER_AFTER = re.compile(r"^\s*(?:each|per\s+(?:item|piece|product|pair|article|one)|apiece|a\s+piece|a\s+pop|for\s+each|"
                        r"per)\b")
_YEAR_CUES = ("for", "from", "with")


@dataclass
class MoneyParse:
    """What ``read_budget`` found: the budget, the character spans it used, and what to tell the person."""

    budget: Budget = field(default_factory=Budget)
    spans: list[tuple[int, int]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    limits: list[tuple[str, int, tuple[int, int]]] = field(default_factory=list)  # every (field, rupees, span) read


@dataclass
class _Amount:
    value: float  # in its own currency
    currency: str | None  # None: not said (read as INR)
    moneyish: bool  # had a currency or a multiplier


def _read(m: re.Match, p: str) -> _Amount | None:
    number = m.group(p + "num")
    try:
        value = float(number.replace(",", ""))
    except ValueError:
        return None
    mult = m.group(p + "mult")
    if mult:
        value *= _MULTIPLIER.get(mult, 1)
    cur = m.group(p + "pre") or m.group(p + "post")
    currency = _CURRENCY.get(cur.strip()) if cur else None
    return _Amount(value, currency, bool(cur or mult))


def _free(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return all(span[1] <= s or span[0] >= e for s, e in taken)


def _rates(text: str, taken: list[tuple[int, int]]) -> dict[str | None, float]:
    rates: dict[str | None, float] = {}
    for pattern in _RATES:
        for m in pattern.finditer(text):
            rate = float(m.group("rate"))
            if not 0.001 < rate < 100_000 or not _free(m.span(), taken):
                continue
            currency = _CURRENCY.get(m.group("cur")) if m.group("cur") else None
            if pattern is _RATES[1] and currency is None and not re.search(r"rupee|₹|rs|inr|@|rate", m.group(0)):
                continue  # "at 83" alone is too thin to be a rate
            rates.setdefault(currency, rate)
            taken.append(m.span())
    return rates


_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
          "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
          "eighteen": 18, "nineteen": 19, "twenty": 20, "twenty five": 25, "thirty": 30, "forty": 40, "fifty": 50,
          "a": 1, "an": 1}
_SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000, "lakh": 100_000, "lakhs": 100_000}
_WORD_AMOUNT = re.compile(
    r"\b(?P<n>" + "|".join(sorted((re.escape(w) for w in _UNITS), key=len, reverse=True)) + r")[\s-]+"
    r"(?P<s>hundred|thousand|grand|lakhs?)(?:\s+(?:and\s+)?(?P<n2>" + "|".join(w for w in _UNITS if w not in ("a", "an"))
    + r")\s+hundred)?\b"
)


def digits_for_words(text: str) -> str:
    """Amounts in words as digits, each padded to the same length so character spans stay put:
    "under two thousand rupees" → "under         2000 rupees"; "fifteen hundred" → "1500"."""
    def swap(m: re.Match) -> str:
        value = _UNITS[m.group("n")] * _SCALES[m.group("s")] + (_UNITS[m.group("n2")] * 100 if m.group("n2") else 0)
        digits = str(value)
        return digits.rjust(len(m.group(0))) if len(digits) <= len(m.group(0)) else m.group(0)

    return _WORD_AMOUNT.sub(swap, text)


def _with_padding(spans: list[tuple[int, int]], padding: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A span that starts on a word amount's digits also covers the padding where its words were."""
    starts = {end: start for start, end in padding}
    return [(starts.get(start, start), end) for start, end in spans]


def read_budget(text: str, original: str | None = None, taken: list[tuple[int, int]] | None = None) -> MoneyParse:
    """Budget limits in ``text`` (lower-cased; ``original`` gives the words back as typed; ``taken``:
    character spans already read as something else, such as an age). Amounts in words ("two
    thousand", "fifteen hundred", "a lakh") are read as their digits."""
    original = original if original is not None else text
    text = digits_for_words(text)
    padding = [(m.start(), m.end()) for m in re.finditer(r" {2,}(?=\d)", text)]  # where a word amount's head was
    out = MoneyParse()
    taken = list(taken or [])
    rates = _rates(text, taken)
    found: list[tuple[str, bool, _Amount, tuple[int, int]]] = []  # (max|min, per_item, amount, span)

    def per_item(start: int, end: int) -> tuple[bool, tuple[int, int]]:
        """Whether "each"/"per piece" sits next to the amount, and the span with it."""
        before, after = text[max(0, start - 30):start], text[end:end + 20]
        clause = re.split(r"[.;!?]", before)[-1]
        hit_before, hit_after = _PER_BEFORE.search(clause), _PER_AFTER.search(after)
        if hit_before:
            start -= len(clause) - hit_before.start()
        if hit_after:
            end += hit_after.end()
        return bool(hit_before or hit_after), (start, end)

    def keep(kind: str, amount: _Amount, span: tuple[int, int]) -> None:
        per, wider = per_item(*span)
        found.append((kind, per, amount, wider))
        taken.append(wider)

    for pattern in _RANGES:
        for m in pattern.finditer(text):
            low, high = _read(m, "a_"), _read(m, "b_")
            if low is None or high is None or not _free(m.span(), taken):
                continue
            if m.group("b_mult") and not m.group("a_mult") and low.value < high.value / _MULTIPLIER[m.group("b_mult")]:
                low.value *= _MULTIPLIER[m.group("b_mult")]  # "2-4k"
            low.currency = low.currency or high.currency
            high.currency = high.currency or low.currency
            cued = pattern is not _RANGES[2]
            if not (low.moneyish or high.moneyish or (cued and high.value >= 100) or (low.value >= 100 and high.value >= 100)):
                continue
            keep("min", low, m.span())
            keep("max", high, m.span())
    cued = [*_NEGATED, *(("max", p) for p in _MAX), *(("min", p) for p in _MIN), ("max", _PER_ITEM_AMOUNT)]
    for kind, pattern in cued:
        for m in pattern.finditer(text):
            amount = _read(m, "a_")
            if amount is None or not _free(m.span(), taken) or not (amount.moneyish or amount.value >= 100):
                continue
            cue = m.group(0).split()[0]
            if not amount.moneyish and cue in _YEAR_CUES and 1900 <= amount.value <= 2100:
                continue  # "for 2025"
            keep(kind, amount, m.span())
    for m in _BARE.finditer(text):
        amount = _read(m, "a_")
        if amount is not None and amount.moneyish and amount.value > 0 and _free(m.span(), taken):
            keep("max", amount, m.span())
    if not found:
        out.spans = _with_padding(taken, padding)
        return out
    out = _budget(found, rates, original, taken, out)
    out.spans = _with_padding(out.spans, padding)
    return out


def _budget(found, rates: dict[str | None, float], original: str, taken: list[tuple[int, int]],
            out: MoneyParse) -> MoneyParse:
    foreign_currencies = {a.currency for _, _, a, _ in found if a.currency not in (None, "INR")}
    limits: dict[str, int] = {}
    needs_rate = False
    currency, used_rate = "INR", None
    for kind, per, amount, span in sorted(found, key=lambda f: f[3][0]):
        value = amount.value
        if amount.currency not in (None, "INR"):
            currency = amount.currency
            rate = rates.get(amount.currency) or (rates.get(None) if len(foreign_currencies) == 1 else None)
            if rate is None:
                needs_rate = True
                out.unknown.append(original[span[0]:span[1]].strip())
                continue
            used_rate = rate
            value = value * rate
        rupees = int(round(value))
        if rupees <= 0:
            continue
        name = ("per_item_" if per else "total_") + kind
        out.limits.append((name, rupees, span))
        limits.setdefault(name, rupees)  # the first wins; the parser reports (or binds to items) the others
    for low, high in (("total_min", "total_max"), ("per_item_min", "per_item_max")):
        if low in limits and high in limits and limits[low] > limits[high]:
            limits[low], limits[high] = limits[high], limits[low]
    spans = sorted({f[3] for f in found})
    words = "; ".join(dict.fromkeys(original[s:e].strip() for s, e in spans))
    if needs_rate:
        names = ", ".join(foreign(a.value, a.currency) for _, _, a, _ in found if a.currency == currency)
        out.notices.append(f"Prices here are in rupees and no exchange rate was given for {names}, so no budget was "
                           f"applied for it; add the rate, e.g. '1 {currency} = … INR'.")
    elif used_rate is not None:
        out.notices.append(f"Converted {currency} to rupees at the rate you gave: 1 {currency} = ₹{used_rate:g}.")
    out.budget = Budget(total_max=limits.get("total_max"), total_min=limits.get("total_min"),
                        per_item_max=limits.get("per_item_max"), per_item_min=limits.get("per_item_min"),
                        currency=currency, rate=used_rate, text=words, needs_rate=needs_rate)
    out.spans = taken
    return out
