"""Text to tokens, and phrases found among them: the parser's only view of the characters.

``prepare`` makes a message safe to scan (any object to ``str``, at most ``MAX_CHARS`` characters,
curly quotes and dashes straightened, lower-cased without changing any offset). ``tokenise`` splits
it into words, numbers and single punctuation marks; a token's ``key`` drops apostrophes and inner
dots and a final "'s" ("son's" → "son", "U.S." → "us", "don't" → "dont"), so tables need one spelling. ``phrase_key`` reads a table
phrase the same way, and ``scan`` finds the longest table phrase at each position (leftmost first)
within runs of words: a hyphen or apostrophe joins ("black-tie"), any other mark or a claimed span
(a price, an age) separates. Trade-off: a phrase must be typed word for word (no stemming, no typo
tolerance); that keeps it deterministic and well under a millisecond per message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, Iterable, TypeVar

MAX_CHARS = 2000
MAX_PHRASE = 6
_TOKEN = re.compile(r"[^\W_]+(?:['.&][^\W_]+)*|[^\w\s]")
_STRAIGHTEN = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "–": "-", "—": "-",
                             "‑": "-", "\u00a0": " ", "\u200b": " "})
_JOINERS = frozenset({"-", "'"})
_WORDLIKE = frozenset({"&"})

T = TypeVar("T")


@dataclass(frozen=True)
class Token:
    """One word, number or mark: ``key`` for lookups, ``raw`` as typed, character offsets in the text."""

    key: str
    raw: str
    start: int
    end: int
    kind: str  # word, number, mark
    abbreviation: bool = False  # had an inner dot ("u.s"): a dot right after it does not separate


@dataclass(frozen=True)
class Found(Generic[T]):
    """A table phrase found at tokens ``first..last`` (inclusive), with its table value."""

    first: int
    last: int
    value: T


def prepare(message: object) -> tuple[str, str, bool]:
    """(text, lowered, truncated): ``text`` is at most ``MAX_CHARS`` long; ``lowered`` has the same offsets."""
    text = "" if message is None else str(message)
    truncated = len(text) > MAX_CHARS
    text = text[:MAX_CHARS].translate(_STRAIGHTEN)
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two ("İ"): keep offsets aligned
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return text, lowered, truncated


def _key(raw: str) -> str:
    key = raw.lower()
    if key.endswith("'s") and len(key) > 2:  # possessive or "he's": "son's" reads as "son"
        key = key[:-2]
    return key.replace("'", "").replace(".", "")


def tokenise(text: str) -> list[Token]:
    """Words (letters and digits, with inner ' . &), and single marks; whitespace dropped."""
    tokens = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        if raw[0].isalnum() or raw in _WORDLIKE:
            kind = "number" if raw.replace(",", "").replace(".", "").isdigit() else "word"
            tokens.append(Token(_key(raw), raw, m.start(), m.end(), kind, "." in raw.strip(".")))
        else:
            tokens.append(Token(raw, raw, m.start(), m.end(), "mark"))
    return tokens


def phrase_key(phrase: str) -> tuple[str, ...]:
    """A table phrase as the key ``scan`` looks up: ``"T-shirt"`` → ``("t", "shirt")``."""
    return tuple(t.key for t in tokenise(phrase.translate(_STRAIGHTEN)) if t.kind != "mark" or t.key in _WORDLIKE)


def exact_key(phrase: str) -> tuple[str, ...]:
    """A phrase as ``scan`` compares it case-sensitively (apostrophes dropped): ``"ONLY"`` → ``("ONLY",)``."""
    return tuple(t.raw.replace("'", "") for t in tokenise(phrase.translate(_STRAIGHTEN)) if t.kind != "mark" or t.key in _WORDLIKE)


def runs(tokens: list[Token], claimed: Iterable[int] = ()) -> list[list[int]]:
    """Indices of word tokens, in runs a phrase may span (joiners skipped; marks and claims separate)."""
    blocked = set(claimed)
    out: list[list[int]] = []
    current: list[int] = []
    for i, token in enumerate(tokens):
        if i in blocked:
            pass
        elif token.kind != "mark":
            current.append(i)
            continue
        elif token.key in _JOINERS or (token.key == "." and i and tokens[i - 1].abbreviation):
            continue
        if current:
            out.append(current)
        current = []
    if current:
        out.append(current)
    return out


def scan(tokens: list[Token], index: dict[tuple[str, ...], T], claimed: Iterable[int] = (),
         exact: dict[tuple[str, ...], T] | None = None) -> list[Found[T]]:
    """Longest phrases of ``index`` (keys) or ``exact`` (case-sensitive raw words), leftmost first."""
    found: list[Found[T]] = []
    for run in runs(tokens, claimed):
        i = 0
        while i < len(run):
            best = None
            for length in range(min(MAX_PHRASE, len(run) - i), 0, -1):
                span = run[i:i + length]
                if exact and (value := exact.get(tuple(tokens[j].raw.replace("'", "") for j in span))) is not None:
                    best = Found(span[0], span[-1], value)
                elif (value := index.get(tuple(tokens[j].key for j in span))) is not None:
                    best = Found(span[0], span[-1], value)
                if best is not None:
                    i += length
                    break
            if best is None:
                i += 1
            else:
                found.append(best)
    return found
