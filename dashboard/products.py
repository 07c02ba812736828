"""Product card and product grid: image, name, simulated price, attributes, optional score and action.

They take ``core.data.product.Product`` only (a search hit and a stylist pick are products too);
a screen holding catalogue rows converts them with ``Product.from_row``.

Every card says its price is simulated (the catalogue has no prices; ``core.data.enrich`` makes
them up), so no screen can show a price as if it were real. Cards of one row line up: each is a
bordered box as tall as the row's tallest (``height="stretch"``), its picture in a fixed-height
slot and its button at the bottom (``vertical_alignment="distribute"``). Trade-off accepted: a
short card leaves white space above its button.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import streamlit as st

from core.data.groups import GROUP_LABELS
from core.data.product import Product

IMAGE_WIDTH = 96
IMAGE_SLOT = 136  # px: a 60x80 catalogue picture at IMAGE_WIDTH is 128 px tall
def price_label(price: int) -> str:
    """``"₹1,299 (simulated)"``: every price on screen says it is not real."""
    return f"₹{price:,} (simulated)"


def product_card(product: Product, *, score: float | None = None, caption: str | None = None,
                 action: tuple[str, Callable[[int], None]] | None = None, key: str = "") -> None:
    """One product, in a bordered box that stretches to its row's height."""
    with st.container(border=True, height="stretch", vertical_alignment="distribute"):
        with st.container(gap="small"):
            with st.container(height=IMAGE_SLOT, border=False):
                if product.image and Path(product.image).is_file():
                    st.image(product.image, width=IMAGE_WIDTH)
                else:
                    st.caption("(no image)")
            st.markdown(f"**{product.name}**")
            group = GROUP_LABELS.get(product.group, "")
            line = f"{price_label(product.price)} · {product.base_colour} {product.article_type}"
            if score is not None:
                line += f" · score {score:.3f}"
            st.caption(line + (f" · {group}" if group else ""))
            if caption:
                st.caption(caption)
        if action is not None:
            label, callback = action
            st.button(label, key=f"{key}-{label}-{product.id}", on_click=callback, args=(product.id,))


def product_grid(products: Sequence[Product], *, columns: int = 6, scores: Sequence[float] | None = None,
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
