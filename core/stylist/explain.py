"""What the stylist understood, as short labels a person reads ("Women", "no red", "under ₹3,000").

The screen's "What the stylist understood" panel shows these instead of the request's raw JSON.
Pure: it reads the ``StylistRequest`` dict an answer carries (``Answer.request``) and nothing else,
so it works for old checkpoints too (missing keys are skipped).
"""

from __future__ import annotations

from collections.abc import Mapping

from core.understanding.occasions import occasion_named


def rupees(amount: int | float) -> str:
    return f"₹{int(amount):,}"


def understood_chips(request: Mapping) -> list[str]:
    """The request as labels, most important first; empty for an empty request.

    >>> understood_chips({"occasion": "party", "gender": "Boys", "age": 6, "excluded_colours": ["Red"]})
    ['Party', 'Boys', 'age 6', 'no Red']
    """
    chips: list[str] = []
    if request.get("refinement"):
        chips.append("refines the last answer")
    if request.get("occasion"):
        row = occasion_named(str(request["occasion"]))
        chips.append(row.title if row else str(request["occasion"]).replace("-", " ").capitalize())
    if request.get("gender"):
        chips.append(str(request["gender"]))
    if request.get("age") is not None:
        chips.append(f"age {request['age']}")
    elif request.get("child"):
        chips.append("a child")
    chips += [str(t) for t in request.get("article_types") or ()]
    chips += [str(g) for g in request.get("groups") or () if not request.get("article_types")]
    for item, colours in (request.get("item_colours") or {}).items():
        chips.append(f"{' or '.join(colours)} {item}")
    colours = list(request.get("colours") or ())
    if colours:
        chips.append(("only " if request.get("colours_only") else "in ") + " or ".join(colours))
    chips += [f"no {c}" for c in request.get("excluded_colours") or ()]
    chips += [f"no {t}" for t in [*(request.get("excluded_article_types") or ()), *(request.get("excluded_groups") or ())]]
    chips += budget_chips(request)
    if request.get("currency") not in (None, "INR") and request.get("rate"):
        chips.append(f"converted from {request['currency']} at ₹{request['rate']:g}")
    chips += [str(b) for b in request.get("brands") or ()] + [f"no {b}" for b in request.get("excluded_brands") or ()]
    chips += [str(request[key]) for key in ("season", "usage") if request.get(key)]
    chips += [str(w).capitalize() for w in request.get("weather") or ()]
    if request.get("scope") == "items" and (request.get("article_types") or request.get("groups")):
        chips.append("just these items")
    chips += [str(s) for s in request.get("style") or ()]
    if request.get("items"):
        chips.append(f"{request['items']} pieces")
    chips += [f"not stocked: {o}" for o in request.get("out_of_catalogue") or ()]
    unknown = [str(w) for w in request.get("unknown") or ()]
    if unknown:  # said, not understood: shown rather than guessed at
        chips.append("not understood: " + ", ".join(unknown[:4]) + (" …" if len(unknown) > 4 else ""))
    return list(dict.fromkeys(chips))


def budget_chips(request: Mapping) -> list[str]:
    """The budget: "under ₹3,000 in total", "under ₹1,000 each", "from ₹2,000", "₹2,000–₹4,000 each"."""
    top, bottom = request.get("budget_max"), request.get("budget_min")
    each = " each" if request.get("per_item") else " in total"
    if top is not None and bottom is not None:
        return [f"{rupees(bottom)}–{rupees(top)}{each}"]
    if top is not None:
        return [f"under {rupees(top)}{each}"]
    if bottom is not None:
        return [f"from {rupees(bottom)}{each}"]
    return []
