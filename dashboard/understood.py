"""What the search understood: removable chips for the filters read from the words, and the notes.

``understood_chips`` shows one pill per word-derived filter, all selected; unselecting one removes
that filter (a click on it again brings it back). The widget's key follows the text and the typed
filters, so a new request starts with every chip on. ``understood_notes`` shows the relaxation or
"no exact match" notice (``st.info``) and, as captions, a typed filter that overrode a word and
the words not understood.
"""

from __future__ import annotations

import zlib

import streamlit as st

from core.index.relax import UnderstoodResult
from core.index.understand import Interpretation


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
    """The relaxation / no-exact-match notice, overrides, and what was not understood."""
    if found.notice:
        st.info(found.notice)
    for line in (*found.interpretation.overridden, *found.interpretation.notices):
        st.caption(line)
