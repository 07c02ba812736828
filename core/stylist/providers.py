"""Chat-model backends for the stylist: ``offline`` (none), ``openai``, ``openai-compatible``.

Configured by ``core.config.Settings`` (``stylist_provider``, ``openai_api_key``,
``openai_base_url``, ``stylist_model``, ``stylist_timeout``; from the variables ``STYLIST_PROVIDER``
(default ``offline``), ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``STYLIST_MODEL``,
``STYLIST_TIMEOUT`` (seconds, default 20)). A missing key or base URL is not an error: the choice
falls back to offline with a notice, so ``ask`` always answers. Every client is built with a
timeout and ``max_retries=0`` (``ChatOpenAI`` otherwise waits forever on a silent server); an
unreachable server surfaces at call time and the graph falls back per node. Secrets are never
printed: notices name the variable, never its value, and URLs lose any user:password part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from core.config import Settings
from core.errors import FashionError

PROVIDERS = ("offline", "openai", "openai-compatible")
DEFAULT_OPENAI_MODEL = "gpt-4.1-mini"


@dataclass
class ChatChoice:
    """The chat model to use (None = offline), who it is, and why it may have fallen back."""

    model: Any | None
    provider: str
    name: str = "offline"
    analyzer: Any | None = None  # a Runnable: message prompt -> RequestDraft
    notice: str | None = None


def safe_url(url: str) -> str:
    """``url`` without credentials, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def make_chat_model(settings: Settings, provider: str | None = None, *, model: str | None = None) -> ChatChoice:
    """The chat model ``settings`` configure (``provider`` and ``model`` override them); offline,
    with a notice, when its key or server is not set."""
    provider = (provider or settings.stylist_provider or "offline").strip().lower()
    timeout = settings.stylist_timeout
    match provider:
        case "offline":
            return ChatChoice(None, "offline")
        case "openai":
            key = (settings.openai_api_key or "").strip()
            if not key:
                return ChatChoice(None, "offline", notice="STYLIST_PROVIDER=openai but OPENAI_API_KEY is not set; answered offline.")
            from langchain_openai import ChatOpenAI

            name = model or settings.stylist_model or DEFAULT_OPENAI_MODEL
            chat = ChatOpenAI(model=name, api_key=key, timeout=timeout, max_retries=0, temperature=0.3)
            return ChatChoice(chat, "openai", name, analyzer=structured_analyzer(chat, "openai"))
        case "openai-compatible":
            base_url = (settings.openai_base_url or "").strip()
            if not base_url:
                return ChatChoice(
                    None,
                    "offline",
                    notice="STYLIST_PROVIDER=openai-compatible but OPENAI_BASE_URL is not set; answered offline.",
                )
            from langchain_openai import ChatOpenAI

            name = model or settings.stylist_model or "local-model"
            chat = ChatOpenAI(
                model=name, base_url=base_url, api_key=settings.openai_api_key or "not-needed",
                timeout=timeout, max_retries=0, temperature=0.3,
            )  # fmt: skip
            return ChatChoice(
                chat,
                "openai-compatible",
                f"{name} at {safe_url(base_url)}",
                analyzer=structured_analyzer(chat, "openai-compatible"),
            )
        case _:
            raise FashionError(f"unknown STYLIST_PROVIDER {provider!r}; valid choices: {', '.join(PROVIDERS)}")


def structured_analyzer(chat_model, provider: str):
    """A runnable: analyzer prompt messages -> ``RequestDraft``.

    OpenAI gets native structured output; a local server gets the JSON schema in the prompt and a
    Pydantic parser (works with any server that can write JSON, and with fake models in tests).
    """
    from langchain_core.output_parsers import PydanticOutputParser

    from core.stylist.parse import RequestDraft  # lazy: it pulls langgraph in (core.stylist.state)

    if provider == "openai":
        return chat_model.with_structured_output(RequestDraft, method="function_calling")
    return chat_model | PydanticOutputParser(pydantic_object=RequestDraft)


def describe_error(error: BaseException, choice_name: str = "") -> str:
    """One line about a model failure, without secrets (no exception text from the client)."""
    kind = type(error).__name__
    if "Connection" in kind or "Timeout" in kind:
        what = "could not be reached"
    elif "Authentication" in kind or "Permission" in kind:
        what = "refused the API key"
    elif "Parser" in kind or "Validation" in kind or "OutputParser" in kind:
        what = "returned an answer that could not be read"
    else:
        what = "failed"
    where = f" ({choice_name})" if choice_name else ""
    return f"The language model{where} {what} [{kind}]; answered offline instead."
