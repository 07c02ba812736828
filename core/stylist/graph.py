"""The stylist's LangGraph: analyze -> plan -> retrieve -> compose -> generate -> verify.

``build_graph(chat_model, retriever, checkpointer)`` compiles it. ``chat_model=None`` is the
offline stylist (deterministic analyzer and writer); with a model, the analyzer is a structured
runnable (``analyzer=`` injects one, e.g. a fake model piped into a parser in tests) and the
writer streams tokens (``stream_mode="messages"`` on the ``generate`` node). Any model failure
falls back to the offline step with a notice, and the model is not tried again that turn.
``verify`` either ends the turn or sends it back to ``generate`` once, offline, when the model's
text could not be repaired. Products only ever come from the retriever: the model writes prose
around ``[#id]`` tags. The offline ``analyze`` reads the message with the shared parser
(``core.stylist.understand.read_message``), says what the catalogue does not stock, and, when nobody
said who an outfit is for, sets ``request["question"]``: the turn then plans nothing and the
answer is that one question.

One graph serves many threads: the checkpointer keys state by ``config["configurable"]
["thread_id"]``, and the previous turn's request and outfit are what refinements start from.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph

from core.stylist.compose import compose_outfit
from core.stylist.constraints import allowed
from core.stylist.generate import write_offline, write_with_model
from core.stylist.occasions import occasion as occasion_row
from core.stylist.parse import Lexicon, RequestDraft, normalise_draft
from core.stylist.plan import HERO_SLOTS, plan_outfit
from core.stylist.prompts import ANALYZE_FORMAT, ANALYZE_SYSTEM, ANALYZE_USER, INJECTION_NOTICE
from core.stylist.providers import describe_error, structured_analyzer
from core.stylist.refine import apply_preferences, is_refinement, merge_refinement, missing_colours
from core.stylist.retriever import retrieve_slots
from core.stylist.state import StylistRequest, StylistState
from core.stylist.understand import implied_gender, not_stocked_notices, read_message, vocabulary_of, wearer_question
from core.stylist.verify import (AMOUNT, REPLACED_NOTICE, known_brands, leaks_prompt, plain_text, verify_answer,
                                 verify_outfit)

MAX_ATTEMPTS = 2
UNCHANGED_NOTICE = "That changes nothing here: the outfit above already fits it, so it stays as it was."


def analyzer_messages(message: str, previous: dict | None, previous_total: int) -> list:
    schema = json.dumps(RequestDraft.model_json_schema(), ensure_ascii=False)
    prev = {k: v for k, v in (previous or {}).items() if v not in (None, [], {}, "", False) and k != "query"}
    return [
        SystemMessage(ANALYZE_SYSTEM + "\n" + ANALYZE_FORMAT.format(schema=schema)),
        HumanMessage(ANALYZE_USER.format(
            previous=json.dumps(prev, ensure_ascii=False), previous_total=previous_total or "none",
            message=message.replace("</user_message>", ""),
        )),
    ]  # fmt: skip


def build_graph(chat_model: Any | None, retriever, checkpointer=None, *, analyzer: Any | None = None,
                provider: str | None = None, model_name: str = ""):
    """Compile the stylist graph; see the module docstring. ``retriever`` must carry ``facts``."""
    lexicon = Lexicon(retriever.facts)
    facts = retriever.facts
    vocabulary = vocabulary_of(facts)
    provider = provider or ("offline" if chat_model is None else "openai-compatible")
    if chat_model is not None and analyzer is None:
        analyzer = structured_analyzer(chat_model, provider)

    def analyze(state: StylistState, config: RunnableConfig) -> dict:
        message = state["message"]
        previous = state.get("request") or None
        previous_outfit = state.get("outfit") or []
        notices = list(state.get("intake_notices") or [])
        parsed, understood, signals = read_message(message, vocabulary)
        parse_notices = [n for n in understood.notices if not n.startswith("This catalogue has no ")]  # said below
        if signals["injection"]:
            notices.append(INJECTION_NOTICE)
        llm_down = False
        req = None
        if analyzer is not None:
            try:
                total = sum(int(p["price"]) for p in previous_outfit)
                draft = analyzer.invoke(analyzer_messages(message, previous, total), config=config)
                if isinstance(draft, dict):
                    draft = RequestDraft(**draft)
                req, draft_notices = normalise_draft(draft, lexicon, message)
                notices += draft_notices
                if previous:
                    req.refinement = req.occasion in (None, previous.get("occasion"))
                    if req.refinement:  # a model that forgot what it was told keeps the old values
                        for key in ("occasion", "gender", "budget_max"):
                            if getattr(req, key) is None:
                                setattr(req, key, previous.get(key))
                    if draft.different_products:
                        req.excluded_ids = [*previous.get("excluded_ids", []), *(int(p["id"]) for p in previous_outfit)]
            except Exception as error:  # noqa: BLE001 - any model failure means: answer offline
                notices.append(describe_error(error, model_name))
                llm_down = True
                req = None
        if req is None:
            notices += parse_notices
            req = parsed
            if is_refinement(signals, parsed, previous):
                req, merge_notices = merge_refinement(previous, parsed, signals, previous_outfit)
                notices += merge_notices
            elif previous and not req.gender:
                req.gender = previous.get("gender")  # the same shopper, a new request
        req.out_of_catalogue = [o.words for o in understood.out_of_catalogue]
        notices += not_stocked_notices(understood)
        explicit = {*req.colours, *(c for cs in req.item_colours.values() for c in cs)}
        req, pref_notices = apply_preferences(req, state.get("preferences"), explicit)
        req, colour_notices = missing_colours(req, facts)
        req.gender = req.gender or implied_gender(req, facts)
        if (analyzer is None or llm_down) and not signals["injection"]:  # a model's reading stands as it is
            req.question = wearer_question(req, understood, previous)
        return {
            "request": req.plain(), "notices": notices + pref_notices + colour_notices,
            "llm_down": llm_down, "provider": "offline",
        }  # fmt: skip

    def plan(state: StylistState) -> dict:
        req = StylistRequest(**state["request"])
        if req.question:  # nothing to plan until we know who it is for
            return {"plan": [], "notices": []}
        slots, notices = plan_outfit(req, facts)
        return {"plan": slots, "notices": notices}

    def retrieve(state: StylistState) -> dict:
        req = StylistRequest(**state["request"])
        usage = req.usage or (occasion_row(req.occasion).usage if req.scope != "items" or req.occasion else None)
        slots = [dict(s) for s in state["plan"]]
        candidates, notices = retrieve_slots(retriever, slots, req, usage)
        if req.refinement:  # the pieces a follow-up leaves alone stay candidates, even if a new query missed them
            keep = set(kept_ids(state.get("outfit") or [], req.changed, facts))
            plain = req.plain()
            for pick in state.get("outfit") or []:
                pool = candidates.get(pick.get("slot"))
                if int(pick["id"]) in keep and pool is not None and all(p["id"] != pick["id"] for p in pool) \
                        and allowed(pick, plain, next(s for s in slots if s["name"] == pick["slot"])):
                    pool.append({k: v for k, v in pick.items() if k not in ("slot", "reason", "relaxed")})
        ids = sorted({int(p["id"]) for hits in candidates.values() for p in hits})
        return {"plan": slots, "candidates": candidates, "retrieved_ids": ids, "notices": notices}

    def compose(state: StylistState) -> dict:
        req = state["request"]
        occ = occasion_row(req.get("occasion"))
        usage = req.get("usage") or (occ.usage if req.get("scope") != "items" or req.get("occasion") else None)
        favourites = tuple((state.get("preferences") or {}).get("favourite_colours") or ())
        # before this node runs, "outfit" still holds the previous turn's: a refinement keeps it
        keep = kept_ids(state.get("outfit") or [], req.get("changed") or [], facts) if req.get("refinement") else ()
        title = occ.title if req.get("occasion") else ""  # no occasion named: reasons say nothing about one
        outfit, alternatives, notices = compose_outfit(
            state["plan"], state["candidates"], req, usage=usage, favourites=favourites, occasion_title=title,
            keep_ids=keep,
        )  # fmt: skip
        if req.get("refinement") and outfit and {int(p["id"]) for p in outfit} == {int(p["id"]) for p in state.get("outfit") or []}:
            notices.append(UNCHANGED_NOTICE)  # "in black" when it already is: said, not pretended
        return {"outfit": outfit, "alternatives": alternatives, "notices": notices}

    def generate(state: StylistState, config: RunnableConfig) -> dict:
        req, outfit, alternatives = state["request"], state["outfit"], state.get("alternatives") or {}
        notices = list(state.get("notices") or [])
        update: dict = {"attempts": int(state.get("attempts") or 0) + 1, "needs_regeneration": False}
        use_model = chat_model is not None and outfit and not state.get("llm_down") and not state.get("force_offline")
        if use_model:
            try:
                text = write_with_model(chat_model, state["message"], req, outfit, alternatives, notices, config=config)
                return {**update, "answer": text, "provider": provider}
            except Exception as error:  # noqa: BLE001 - fall back to the deterministic writer
                failure = describe_error(error, model_name)
                notices.append(failure)
                update.update(llm_down=True, notices=[failure])
        return {**update, "answer": write_offline(req, outfit, alternatives, notices), "provider": "offline"}

    def verify(state: StylistState) -> dict:
        retrieved = {int(p["id"]): p for hits in (state.get("candidates") or {}).values() for p in hits}
        outfit, outfit_problems = verify_outfit(state.get("outfit") or [], retrieved)
        answer = state.get("answer") or ""
        by_model = state.get("provider", "offline") != "offline"  # a model's text: plain text, known brands only
        leaked = leaks_prompt(answer)
        answer, markup = plain_text(answer) if by_model else (answer, [])
        req = state["request"]
        allowed = {int(v) for v in (req.get("budget_max"), req.get("budget_min")) if v}
        for notice in state.get("notices") or []:
            allowed |= {int(m.group(1).replace(",", "")) for m in AMOUNT.finditer(notice)}
        brands = known_brands(facts.brands) if by_model else ()
        repaired, problems = verify_answer(answer, retrieved, outfit, allowed, brands) if not leaked else ("", [])
        attempts = int(state.get("attempts") or 0)
        broken = leaked or bool(outfit_problems) or (outfit and len(repaired) < 40)
        if broken and attempts < MAX_ATTEMPTS:  # the offline writer's answer replaces it, saying why
            replaced = [REPLACED_NOTICE] if by_model else []
            return {"outfit": outfit, "needs_regeneration": True, "force_offline": True, "notices": replaced}
        notices = []
        if leaked:
            notices.append(REPLACED_NOTICE)
        if markup and not leaked:
            notices.append(f"Removed markup from the model's answer ({', '.join(markup)}): it is shown as plain text.")
        if problems or outfit_problems:
            notices.append(f"Removed {len(problems) + len(outfit_problems)} mention(s) of products, brands or prices "
                           "that did not come from the catalogue search.")
        if leaked or not repaired:
            repaired = write_offline(req, outfit, state.get("alternatives") or {}, list(state.get("notices") or []))
        return {"answer": repaired, "outfit": outfit, "messages": [AIMessage(repaired)], "notices": notices,
                "needs_regeneration": False}  # fmt: skip

    def after_verify(state: StylistState) -> str:
        return "generate" if state.get("needs_regeneration") else END

    graph = StateGraph(StylistState)
    for name, node in (("analyze", analyze), ("plan", plan), ("retrieve", retrieve), ("compose", compose),
                       ("generate", generate), ("verify", verify)):
        graph.add_node(name, node)
    graph.add_edge(START, "analyze")
    graph.add_edge("analyze", "plan")
    graph.add_edge("plan", "retrieve")
    graph.add_edge("retrieve", "compose")
    graph.add_edge("compose", "generate")
    graph.add_edge("generate", "verify")
    graph.add_conditional_edges("verify", after_verify, ["generate", END])
    return graph.compile(checkpointer=checkpointer)


def kept_ids(previous: list[dict], changed: list[str], facts) -> tuple[int, ...]:
    """The previous outfit's products a refinement leaves alone: not of a type, group or role it changes."""
    if "all" in changed:
        return ()
    touched = set(changed)
    return tuple(int(p["id"]) for p in previous if p.get("article_type") not in touched
                 and facts.group(p.get("article_type", "")) not in touched and not ("hero" in touched and p.get("slot") in HERO_SLOTS))


def turn_input(message: str, preferences: dict | None = None, intake_notices: list[str] | None = None) -> dict:
    """The state update that starts a turn (resets the per-turn fields)."""
    return {
        "messages": [HumanMessage(message)], "message": message, "preferences": dict(preferences or {}),
        "intake_notices": list(intake_notices or []), "notices": None, "llm_down": False, "attempts": 0,
        "needs_regeneration": False, "force_offline": False,
    }  # fmt: skip
