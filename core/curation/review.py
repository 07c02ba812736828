"""What a merchandiser reads beside a suggestion: whether a pair's prices disagree, and, when a
kind has no suggestion at all, what the rules checked to find none.

Pure: plain values in, sentences out. The checks are worded from the thresholds of the rules in
use (``core.curation.rules.Rules``), so the sentence follows the rules when they are re-tuned.
Trade-off accepted: a sentence per kind, not the full rule (that is in ``core.curation.rules``).
"""

from __future__ import annotations

from collections.abc import Mapping

from core.curation.rules import DEFAULT_RULES, Rules


def price_disagreement(prices: Mapping[int, int]) -> str | None:
    """``"Prices differ: 10001 ₹1,299 · 10002 ₹1,499 (simulated)"``; None when they agree.

    ``price_disagreement({10001: 1299, 10002: 1299}) is None``
    """
    if len(set(prices.values())) <= 1:
        return None
    listed = " · ".join(f"{pid} ₹{int(price):,}" for pid, price in prices.items())
    return f"Prices differ: {listed} (simulated)."


def what_was_checked(kind: str, type_counts: Mapping[str, int], rules: Rules = DEFAULT_RULES) -> str:
    """What finding no suggestion of ``kind`` means, in one sentence; ``type_counts`` is the
    catalogue's number of products per article type.

    ``what_was_checked("outlier", {"Tshirts": 12})`` says no type was big enough to be checked.
    """
    n = f"{sum(type_counts.values()):,} products"
    match kind:
        case "near-duplicate":
            return (f"Checked every pair of the {n} for identical image files, and for near-identical "
                    f"images (cosine ≥ {rules.duplicate_cosine}) of the same type, gender and colour "
                    f"with names at least {rules.duplicate_name_similarity:.0%} alike.")
        case "label-error":
            return (f"Checked the article type, colour and gender of each of the {n}: a label is "
                    f"questioned only when the product's name and its picture (its {rules.neighbours} "
                    "nearest images, or the model's classifier) point to another one.")
        case "outlier":
            big = {t: c for t, c in type_counts.items() if c >= rules.outlier_min_type_size}
            if not big:
                return (f"Only article types with at least {rules.outlier_min_type_size} products are "
                        f"checked for outliers, and none of the {len(type_counts)} here has that many.")
            return (f"Checked the {sum(big.values()):,} products of the {len(big)} article types with at "
                    f"least {rules.outlier_min_type_size} products for images far from their "
                    f"{rules.neighbours} nearest of the same type (mean cosine below {rules.outlier_max_cosine}).")
    return f"Checked the {n}."
