"""Outfit -> answer text: the deterministic writer, and the chat-model writer.

Both produce the same structure: an opening line, one bullet per slot (product, price, id, why
it fits), why the colours work, styling tips, alternatives, and notes. Products are always
written by ``product_ref`` ("Name (₹1,299, #10023)"), so the verifier can find every id and
price. The chat model is asked to cite products as ``[#id]`` only; ``render_tags`` swaps each tag
for ``product_ref`` of a product retrieval returned (an unknown tag stays a bare tag and is then
removed by ``verify``, which also makes the model's text plain text).
"""

from __future__ import annotations

import json
import re

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from core.stylist.advice import outfit_tips
from core.stylist.harmony import ACCESSORY_SLOTS, pair_harmony
from core.stylist.occasions import occasion as occasion_row
from core.stylist.prompts import GENERATE_SYSTEM, GENERATE_USER
from core.stylist.rules import weather_of
from core.stylist.state import StylistRequest
from core.understanding.occasions import occasion_named

TAG = re.compile(r"\[#(\d+)\](?:\([^\s()]*\))?")  # a link target glued to a tag ("[#12](http://…)") goes with it
MAX_PROMPT_MESSAGE = 1000


def product_ref(product: dict) -> str:
    return f"{product['name']} (₹{int(product['price']):,}, #{int(product['id'])})"


def _title(req: dict) -> str:
    occ = occasion_row(req.get("occasion"))
    who = {"Men": "men", "Women": "women", "Boys": "boys", "Girls": "girls", "Unisex": "anyone"}.get(req.get("gender") or "", "")
    title = f"{occ.title.capitalize()} outfit" if req.get("scope") != "items" else "Picks"
    return f"{title} for {who}" if who else title


def harmony_summary(outfit: list[dict]) -> str:
    main = [p for p in outfit if p["slot"] not in ACCESSORY_SLOTS] or outfit
    if len(main) < 2:
        return ""
    a, b = main[0], main[1]
    _, rule = pair_harmony(a["base_colour"], b["base_colour"])
    return f"{a['base_colour'].lower()} {a['slot']} with {b['base_colour'].lower()} {b['slot']}: {rule}"


def write_offline(req: dict, outfit: list[dict], alternatives: dict[str, list[dict]], notices: list[str]) -> str:
    """The deterministic writer: the same request and outfit always give the same text."""
    lines: list[str] = []
    if req.get("question") and not outfit:
        return req["question"]
    if not outfit:
        lines.append("I could not put together anything from this catalogue for that request.")
        if notices:
            lines += ["", *(f"- {n}" for n in notices)]
        lines += ["", "Try a different occasion, colour or budget, e.g. \"casual outfit for women under 4000\"."]
        return "\n".join(lines)
    total = sum(int(p["price"]) for p in outfit)
    budget = req.get("budget_max")
    over = any("budget" in (p.get("relaxed") or []) for p in outfit)
    if budget and over:
        money = f"total ₹{total:,}, over your ₹{budget:,} budget: the nearest I could find"
    elif budget and req.get("per_item"):
        money = f"total ₹{total:,}, each piece under ₹{budget:,}"
    elif budget:
        money = f"total ₹{total:,} of your ₹{budget:,} budget"
    else:
        money = f"total ₹{total:,}"
    lines.append(f"**{_title(req)}** ({money})")
    lines.append("")
    for pick in outfit:
        lines.append(f"- **{pick['slot'].capitalize()}**: {product_ref(pick)}: {pick['reason']}.")
    occ = occasion_row(req.get("occasion"))
    harmony = harmony_summary(outfit)
    if harmony:
        lines += ["", f"**Why it works**: {harmony}; the look stays {' and '.join(occ.style)}."]
    lines += ["", "**Styling tips**"]
    weather = weather_of(StylistRequest(**{k: v for k, v in req.items() if k in StylistRequest.model_fields}),
                         occasion_named(req.get("occasion")))
    lines += [f"- {tip}" for tip in outfit_tips(req, outfit, weather)]
    if alternatives:
        lines += ["", "**Alternatives**"]
        for slot, alts in alternatives.items():
            lines.append(f"- {slot.capitalize()}: " + "; ".join(product_ref(a) for a in alts))
    if notices:
        lines += ["", "**Notes**"]
        lines += [f"- {n}" for n in notices]
    return "\n".join(lines)


def _facts(products: list[dict]) -> str:
    return "\n".join(
        f"- [#{p['id']}] slot={p['slot']}; {p['article_type']}; colour {p['base_colour']}; "
        f"usage {p.get('usage', '')}; why chosen: {p.get('reason', '')}"
        for p in products
    ) or "(none)"


def generation_messages(message: str, req: dict, outfit: list[dict], alternatives: dict[str, list[dict]], notices: list[str]) -> list:
    visible = {k: v for k, v in req.items() if v not in (None, [], {}, "", False) and k not in ("query", "excluded_ids")}
    prompt = GENERATE_USER.format(
        message=message[:MAX_PROMPT_MESSAGE].replace("</user_message>", ""),
        occasion=occasion_row(req.get("occasion")).title,
        request=json.dumps(visible, ensure_ascii=False),
        outfit=_facts(outfit),
        alternatives=_facts([a for alts in alternatives.values() for a in alts]),
        harmony=harmony_summary(outfit) or "n/a",
        notes=" ".join(notices) or "none",
    )
    return [SystemMessage(GENERATE_SYSTEM), HumanMessage(prompt)]


def write_with_model(chat_model: BaseChatModel, message: str, req: dict, outfit: list[dict],
                     alternatives: dict[str, list[dict]], notices: list[str], config=None) -> str:
    """The chat model's answer, tags rendered; raises whatever the model raises."""
    reply = chat_model.invoke(generation_messages(message, req, outfit, alternatives, notices), config=config)
    text = reply.content if isinstance(reply.content, str) else "".join(
        part.get("text", "") if isinstance(part, dict) else str(part) for part in reply.content
    )
    known = {int(p["id"]): p for p in [*outfit, *(a for alts in alternatives.values() for a in alts)]}
    return render_tags(text, known)


def render_tags(text: str, products: dict[int, dict]) -> str:
    """``[#id]`` -> ``product_ref``; unknown ids stay as ``#id`` for ``verify`` to remove.

    The text is still the model's: ``verify.plain_text`` makes it plain text afterwards (a tag never
    turns into a link: a target written right after it is dropped with the tag).
    """
    def swap(m: re.Match) -> str:
        product = products.get(int(m.group(1)))
        return product_ref(product) if product else f"#{m.group(1)}"

    return TAG.sub(swap, text)
