"""A hostile chat model: its text reaches the shopper as plain text, naming only retrieved products.

The model is a fake injected into ``build_graph`` (and once a real ``ChatOpenAI`` against a hostile
OpenAI-compatible server on loopback); the offline answer to the same request tells us which
products retrieval offers. The Stylist screen is checked with AppTest and a fake stylist: whatever
text reaches it, markdown parses it into text, bold and bullets only (``markdown_it``, CommonMark).
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from core.config import Settings
from core.data.brands import brand_of
from core.errors import FashionError
from core.stylist.service import Stylist, StylistAnswer
from tests.test_search import demo_catalog, demo_settings, embedder, indexed  # noqa: F401
from tests.test_stylist import assert_grounded, make_stylist, stylist_retriever  # noqa: F401
from tests.test_stylist_llm import OFFICE_DRAFT, analyzer_from, writer_with

HOME = str(Path(__file__).resolve().parents[1] / "Home.py")
REQUEST = "office outfit for a woman under 3000"
TAG_OR_COMMENT = re.compile(r"<\s*/?\s*[a-zA-Z!?]")


@pytest.fixture
def office(make_stylist):
    """The offline answer to REQUEST: the products retrieval offers, and the model's tags for them."""
    reference = make_stylist().ask(REQUEST)
    assert reference.products
    return SimpleNamespace(answer=reference, tags=" ".join(f"[#{p.id}]" for p in reference.products))


def ask_model(make_stylist, text: str):
    stylist = make_stylist(writer_with(text), analyzer=analyzer_from(OFFICE_DRAFT), provider="openai-compatible")
    return stylist.ask(REQUEST)


def refs(answer) -> list[str]:
    return [f"{p.name} (₹{p.price:,}, #{p.id})" for p in answer.products]


# -- markup -------------------------------------------------------------------------------------
HOSTILE_MARKUP = {
    "script": ("<script>alert(document.cookie)</script>", ["<script", "alert(", "cookie"]),
    "img onerror": ('<img src=x onerror="alert(1)">', ["<img", "onerror", "alert("]),
    "iframe": ('<iframe src="http://evil.example/frame"></iframe>', ["<iframe", "evil.example"]),
    "unclosed tag": ("<img src=x onerror=alert(1)", ["<img", "onerror"]),
    "encoded tag": ("&lt;script&gt;alert(1)&lt;/script&gt;", ["&lt;", "script", "alert("]),
    "markdown image": ("![x](http://evil.example/x.png)", ["![", "evil.example", "x.png"]),
    "reference image": ("![x][pic]\n[pic]: http://evil.example/x.png", ["![", "evil.example"]),
    "javascript link": ("[click](javascript:alert(1))", ["javascript", "alert(", "]("]),
    "data link": ("[see](data:text/html;base64,PHNjcmlwdD4=)", ["data:", "base64", "]("]),
    "bare address": ("Shop more at http://evil.example/sale today", ["evil.example", "http"]),
}


@pytest.mark.parametrize("markup, forbidden", HOSTILE_MARKUP.values(), ids=HOSTILE_MARKUP.keys())
def test_a_models_markup_is_removed(make_stylist, office, demo_catalog, markup, forbidden):
    text = f"**Your office look**: {office.tags}.\nStay sharp {markup} all day.\n- Styling tips: keep it simple."
    answer = ask_model(make_stylist, text)
    for fragment in forbidden:
        assert fragment not in answer.answer
    assert not TAG_OR_COMMENT.search(answer.answer)
    assert "Styling tips: keep it simple." in answer.answer and "**Your office look**" in answer.answer
    assert all(ref in answer.answer for ref in refs(answer))
    assert any(n.startswith("Removed markup from the model's answer") for n in answer.notices)
    assert answer.provider == "openai-compatible"
    assert_grounded(answer, demo_catalog)


def test_a_tag_written_as_a_link_is_rendered_without_it(make_stylist, office):
    first = office.answer.products[0]
    answer = ask_model(make_stylist, f"Start with [#{first.id}](http://evil.example/buy). Then {office.tags}. Keep it simple.")
    assert f"{first.name} (₹{first.price:,}, #{first.id})" in answer.answer
    assert "evil.example" not in answer.answer and "](" not in answer.answer


@pytest.mark.parametrize("text, expected", [
    ("plain words stay", "plain words stay"),
    ("## Styling tips\n* one", "**Styling tips**\n* one"),
    ("<b>bold</b> and <i>it</i>", "bold and it"),
    ("<!-- a > b --> visible", "visible"),
    ("<scr<script>ipt>alert(1)</script>\nnext line", "next line"),
    ("&amp;lt;img src=x onerror=alert(1)&amp;gt;", ""),
    ("[text][ref] and [a](<http://x.example>)", "text and a"),
    ("JavaScript:alert(1) and DATA:text/html,x stay out", "and stay out"),
    ("price < 2000 and > 1000", "price < 2000 and > 1000"),
    ("Puma Men Black Tee (₹1,299, #1001)", "Puma Men Black Tee (₹1,299, #1001)"),
])
def test_plain_text_known_answers(text, expected):
    from core.stylist.verify import plain_text

    assert plain_text(text)[0] == expected


# -- products and brands the model names itself ----------------------------------------------------
def test_a_well_known_brand_named_without_an_id_is_removed(make_stylist, office, demo_catalog):
    text = (f"Your office look: {office.tags}.\n"
            "For a luxe finish, carry the Louis Vuitton Neverfull tote. Keep accessories minimal.")
    answer = ask_model(make_stylist, text)
    assert "Louis Vuitton" not in answer.answer and "Neverfull" not in answer.answer
    assert "Keep accessories minimal." in answer.answer
    assert any("Removed 1 mention(s) of products, brands or prices" in n for n in answer.notices)
    assert_grounded(answer, demo_catalog)


def test_a_catalogue_brand_that_retrieval_did_not_return_is_removed(make_stylist, office, stylist_retriever, demo_catalog):
    names = " ".join(demo_catalog[demo_catalog.id.isin(office.answer.retrieved_ids)].productDisplayName).casefold()
    foreign = next(b for b in stylist_retriever.facts.brands if b.casefold() not in names)
    text = f"Your office look: {office.tags}.\nSwap in a {foreign} watch for polish. Keep accessories minimal."
    answer = ask_model(make_stylist, text)
    assert foreign not in answer.answer and "Keep accessories minimal." in answer.answer
    assert any("Removed 1 mention(s)" in n for n in answer.notices)


def test_a_catalogue_name_that_retrieval_did_not_return_is_removed(make_stylist, office, demo_catalog):
    retrieved = set(office.answer.retrieved_ids)
    brands = {brand_of(p.name) for p in office.answer.products}
    other = demo_catalog[~demo_catalog.id.isin(retrieved) & demo_catalog.productDisplayName.map(brand_of).isin(brands)]
    name = other.productDisplayName.iloc[0]  # a product of a retrieved brand, but not retrieved
    brand = brand_of(name)
    text = (f"Your office look: {office.tags}.\nOr try the {name} instead. The {brand} pieces keep it crisp. "
            "Keep accessories minimal.")
    answer = ask_model(make_stylist, text)
    assert name not in answer.answer
    assert f"The {brand} pieces keep it crisp." in answer.answer  # a retrieved product's brand may be named
    assert "Keep accessories minimal." in answer.answer
    assert any("Removed 1 mention(s)" in n for n in answer.notices)


def test_a_model_answer_of_only_foreign_products_is_replaced_by_the_offline_one(make_stylist, office):
    answer = ask_model(make_stylist, "Wear the Gucci Marmont bag with Prada loafers and a Rolex Datejust!")
    assert answer.provider == "offline" and answer.products
    assert not re.search("Gucci|Prada|Rolex", answer.answer)
    assert "Styling tips" in answer.answer
    assert any("answer was replaced" in n for n in answer.notices)


def test_a_legitimate_model_answer_keeps_names_and_prices_from_the_index(make_stylist, office, demo_catalog):
    products, alternatives = office.answer.products, office.answer.alternatives
    brand = brand_of(products[0].name)
    text = "\n".join([
        "A polished office look for you.",
        "",
        *(f"- **{p.slot.capitalize()}**: [#{p.id}] works well for a day of meetings." for p in products),
        "",
        "**Styling tips**",
        f"- The {brand} piece is the anchor: keep the rest simple.",
        "- Tuck the top in & add a slim belt.",
        "",
        "**Alternatives**",
        *(f"- [#{a.id}]" for a in alternatives[:2]),
    ])
    answer = ask_model(make_stylist, text)
    assert answer.provider == "openai-compatible"
    assert [p.id for p in answer.products] == [p.id for p in products]
    for ref in refs(answer) + [f"{a.name} (₹{a.price:,}, #{a.id})" for a in alternatives[:2]]:
        assert ref in answer.answer  # names and prices from the index, not the model
    assert f"The {brand} piece is the anchor" in answer.answer and "Tuck the top in & add a slim belt." in answer.answer
    assert "**Styling tips**" in answer.answer and "[#" not in answer.answer
    assert not [n for n in answer.notices if "Removed" in n or "replaced" in n]
    assert_grounded(answer, demo_catalog)


# -- a real ChatOpenAI against a hostile OpenAI-compatible server ------------------------------------
HOSTILE_ANSWER = (
    "**Office look**: {tags}.\n"
    "For a luxe finish, carry the Louis Vuitton Neverfull tote.\n"
    "Look sharp <script>alert('x')</script><img src=x onerror=alert(1)><iframe src=\"http://evil.example/f\"></iframe>\n"
    "![look](http://evil.example/x.png) Tap [here](javascript:alert(1)) for more.\n"
    "- Keep accessories minimal."
)


class HostileOpenAI(BaseHTTPRequestHandler):
    """Reads every request as an office outfit for a woman; writes HOSTILE_ANSWER around the given tags."""

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        system, user = body["messages"][0]["content"], body["messages"][-1]["content"]
        if "request analyzer" in system:
            text = json.dumps(OFFICE_DRAFT)
        else:
            tags = " ".join(dict.fromkeys(re.findall(r"\[#\d+\]", user.split("ALTERNATIVES:")[0])))
            text = HOSTILE_ANSWER.format(tags=tags)
        frame = {"id": "c1", "created": 0, "model": body["model"]}
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in [*re.findall(r"\S+\s*", text), None]:
                delta = {"role": "assistant", "content": piece} if piece else {}
                chunk = {**frame, "object": "chat.completion.chunk",
                         "choices": [{"index": 0, "delta": delta, "finish_reason": None if piece else "stop"}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            return
        payload = json.dumps({**frame, "object": "chat.completion",
                              "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                              "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def hostile_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), HostileOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_hostile_openai_compatible_server(indexed, embedder, hostile_server, demo_catalog):
    env = {"STYLIST_PROVIDER": "openai-compatible", "OPENAI_BASE_URL": hostile_server, "STYLIST_MODEL": "tiny",
           "STYLIST_TIMEOUT": "5"}
    with Stylist.open(Settings.from_env(env=env, home=indexed.home), embedder=embedder) as stylist:
        events = list(stylist.stream(REQUEST))
    answer = events[-1][1]
    assert answer.provider == "openai-compatible" and answer.products
    assert "".join(t for kind, t in events if kind == "token").count("<script>") == 1  # the draft is raw: see the page
    for fragment in ("Louis Vuitton", "Neverfull", "<", "alert(", "evil.example", "javascript", "]("):
        assert fragment not in answer.answer
    assert "**Office look**" in answer.answer and "- Keep accessories minimal." in answer.answer
    assert all(ref in answer.answer for ref in refs(answer))
    assert any(n.startswith("Removed markup") for n in answer.notices)
    assert any("Removed 1 mention(s)" in n for n in answer.notices)
    assert_grounded(answer, demo_catalog)


# -- the Stylist screen: any text is shown literally ------------------------------------------------
SCREEN_TEXT = (
    "**Office outfit for women** (total ₹2,998)\n\n"
    "- **Top**: Vellmora Women Blue Top (₹999, #1001): <img src=x onerror=alert(1)>\n"
    "- **Bag**: ![x](http://evil.example/x.png) [click](javascript:alert(1)) <script>alert(2)</script>\n"
    "<iframe src=\"http://evil.example/f\"></iframe> :red[alarm] $x^2$ _under_ `code` ~~gone~~ & &lt;b&gt;\n"
    "# a heading\n    an indented line\n> a quote\n| a | table |\nwww.evil.example <http://evil.example> x@evil.example\n"
    "**Styling tips**\n- Keep it simple."
)
ALLOWED_TOKENS = {"paragraph_open", "paragraph_close", "inline", "text", "softbreak", "strong_open", "strong_close",
                  "bullet_list_open", "bullet_list_close", "list_item_open", "list_item_close", "code_inline"}


def rendered(markdown: str) -> tuple[set[str], str]:
    """(the kinds of markdown tokens ``markdown`` parses into, the text a reader sees)."""
    tokens = MarkdownIt("commonmark").enable("strikethrough").parse(markdown)
    kinds, text = set(), []
    for token in tokens:
        kinds.add(token.type)
        for child in token.children or ():
            kinds.add(child.type)
            text.append(child.content if child.type in ("text", "code_inline") else "\n" if child.type == "softbreak" else "")
        if token.type == "paragraph_close":
            text.append("\n")
    return kinds, "".join(text)


class FakeStylist:
    """What the page needs of a Stylist: a provider, notices and ``stream``."""

    provider, notices = "openai-compatible", ["<b>a construction notice</b>"]

    def __init__(self, text: str, *, fail_after_tokens: bool = False):
        self.text, self.fail_after_tokens = text, fail_after_tokens

    def stream(self, message, thread_id=None, preferences=None):
        for line in self.text.splitlines(keepends=True):
            yield "token", line
        if self.fail_after_tokens:
            raise FashionError("the stylist stopped")
        yield "answer", StylistAnswer(answer=self.text, products=[], request={"occasion": "office"}, provider=self.provider,
                                      notices=["Removed <i>markup</i> from [it](javascript:alert(1))"])


@pytest.fixture
def screen(monkeypatch, fresh_streamlit_caches):
    """The Stylist screen over a fake stylist (our own state functions patched; nothing on disk)."""
    from dashboard import state

    def open_screen(fake: FakeStylist) -> AppTest:
        monkeypatch.setattr(state, "require_prepared", lambda: None)
        monkeypatch.setattr(state, "stylist", lambda: fake)
        monkeypatch.setattr(state, "searcher", lambda: SimpleNamespace(vocabulary=SimpleNamespace(values={})))
        at = AppTest.from_file(HOME, default_timeout=60)
        at.switch_page("pages/stylist.py").run()
        assert not at.exception
        return at

    return open_screen


def assert_literal(markdown: str, *expected: str) -> str:
    kinds, text = rendered(markdown)
    assert kinds <= ALLOWED_TOKENS, kinds - ALLOWED_TOKENS  # no html, image, link, heading, code block, quote
    for fragment in expected:
        assert fragment in text
    return text


def test_the_stylist_screen_shows_any_answer_literally(screen):
    at = screen(FakeStylist(SCREEN_TEXT))
    at.chat_input[0].set_value("<b>office</b> look ![y](http://evil.example/y.png)").run()
    assert not at.exception and len(at.chat_message) == 2
    user, assistant = at.chat_message[0], at.chat_message[1]
    assert_literal(user.markdown[0].value, "<b>office</b> look ![y](http://evil.example/y.png)")
    answer = assistant.markdown[0].value
    kinds, text = rendered(answer)
    assert {"strong_open", "bullet_list_open"} <= kinds  # the answer's own bold and bullets still render
    assert_literal(answer, "Office outfit for women", "Vellmora Women Blue Top (₹999, #1001): <img src=x onerror=alert(1)>",
                   "![x](http://evil.example/x.png) [click](javascript:alert(1)) <script>alert(2)</script>",
                   '<iframe src="http://evil.example/f"></iframe> :red[alarm] $x^2$ _under_ `code` ~~gone~~ & &lt;b&gt;',
                   "# a heading", "an indented line", "> a quote", "| a | table |", "www.evil.example",
                   "<http://evil.example>", "x@evil.example", "Keep it simple.")
    assert all(m.proto.allow_html is False for m in assistant.markdown)
    notices = [c.value for c in assistant.caption]
    assert_literal(notices[0], "Removed <i>markup</i> from [it](javascript:alert(1))")
    assert_literal(at.caption[0].value, "<b>a construction notice</b>")


def test_the_streamed_draft_is_shown_literally(screen):
    at = screen(FakeStylist(SCREEN_TEXT, fail_after_tokens=True))
    at.chat_input[0].set_value("office look").run()
    assert not at.exception and at.error[0].value == "the stylist stopped"
    draft = at.chat_message[1].markdown[0].value  # what the shopper saw while the answer streamed
    assert_literal(draft, "<img src=x onerror=alert(1)>", "![x](http://evil.example/x.png)", "[click](javascript:alert(1))")
