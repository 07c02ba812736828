"""What the search understood: removable chips for the filters read from the words, the notes, and
the results split into exact matches and the closest ones.

``understood_chips`` shows one pill per word-derived filter, all selected; unselecting one removes
that filter (a click on it again brings it back). The widget's key follows the text and the typed
filters, so a new request starts with every chip on. ``understood_notes`` shows the "no exact
match" sentence (``st.info``) and, as captions, a typed filter that overrode a word and the words
not understood. ``understood_results`` shows the exact matches, then, under their own heading with
what was relaxed to find them, the closest ones, each card saying how it differs from the request.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import streamlit as st

from core.index.labels import describe_filters
from core.index.relax import UnderstoodResult
from core.index.understand import Interpretation
from dashboard.products import product_grid


def understood_chips(interpretation: Interpretation, *, key: str = "understood") -> Interpretation:
    """Render the chips; return ``interpretation`` without the ones the person removed."""
    chips = {chip.field: chip.label for chip in interpretation.chips}
    if not chips:
        return interpretation
    identity = f"{interpretation.request.text if interpretation.request else ''}|{interpretation.typed}"
    kept = st.pills("Understood", list(chips), selection_mode="multi", default=list(chips),
                    format_func=chips.get, key=f"{key}-{zlib.crc32(identity.encode())}",
                    help="Filters read from your words: click one to remove it, again to bring it back.")
    return interpretation.without(set(chips) - set(kept or ()))


def understood_notes(found: UnderstoodResult) -> None:
    """The no-exact-match sentence, overrides, and what was not understood."""
    if found.notice:
        st.info(found.notice)
    for line in (*found.interpretation.overridden, *found.interpretation.notices):
        st.caption(line)


def understood_results(found: UnderstoodResult, *, action: tuple[str, Callable[[int], None]] | None = None,
                       key: str = "results") -> None:
    """The summary line, then the exact matches and the closest ones as two grids."""
    hits, misses = found.hits, found.misses or ("",) * len(found.hits)
    exact = sum(not m for m in misses)
    count = f"{len(hits)} results" + ("" if found.exact_match else f" ({exact or 'none'} exact)")
    st.caption(f"{count} · filters: {describe_filters(found.result.filters)}")
    if exact:
        product_grid(hits[:exact], scores=[h.score for h in hits[:exact]], action=action, key=key)
    if exact < len(hits):
        st.subheader("Closest matches" if exact else "Closest matches (none is exact)")
        if found.relaxed:
            st.caption(f"Found by relaxing, in turn: {', then '.join(found.relaxed)}.")
        product_grid(hits[exact:], scores=[h.score for h in hits[exact:]],
                     captions=[f"Not exact: {m}" for m in misses[exact:]], action=action, key=f"{key}-closest")
