"""Product card and product grid: image, name, price, attributes, optional score and action."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import streamlit as st

from core.data.groups import GROUP_LABELS


def _field(product: Mapping, *names: str, default=""):
    for name in names:
        if name in product and product[name] is not None:
            return product[name]
    return default


def product_card(product: Mapping, *, score: float | None = None, caption: str | None = None,
                 action: tuple[str, Callable[[int], None]] | None = None, key: str = "") -> None:
    """One product. ``product`` is a catalogue row or a search hit as a dict."""
    image = str(_field(product, "image"))
    if image and Path(image).is_file():
        st.image(image, width=96)
    else:
        st.caption("(no image)")
    name = str(_field(product, "productDisplayName", "name"))
    st.markdown(f"**{name}**")
    colour = _field(product, "baseColour", "base_colour")
    article = _field(product, "articleType", "article_type")
    group = GROUP_LABELS.get(str(_field(product, "group")), "")
    line = f"₹{int(_field(product, 'price', default=0)):,} · {colour} {article}"
    if score is not None:
        line += f" · score {score:.3f}"
    st.caption(line + (f" · {group}" if group else ""))
    if caption:
        st.caption(caption)
    if action is not None:
        label, callback = action
        pid = int(_field(product, "id"))
        st.button(label, key=f"{key}-{label}-{pid}", on_click=callback, args=(pid,))


def product_grid(products: Sequence[Mapping], *, columns: int = 6, scores: Sequence[float] | None = None,
                 captions: Sequence[str] | None = None, action: tuple[str, Callable[[int], None]] | None = None,
                 key: str = "grid") -> None:
    """Products in rows of ``columns`` cards."""
    for start in range(0, len(products), columns):
        for offset, column in enumerate(st.columns(columns)):
            i = start + offset
            if i >= len(products):
                break
            with column:
                product_card(
                    products[i],
                    score=None if scores is None else scores[i],
                    caption=None if captions is None else captions[i],
                    action=action, key=key,
                )
