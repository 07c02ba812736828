"""Chat-model backends for the stylist: ``offline`` (none), ``openai``, ``openai-compatible``.

Read from the environment (until the lead moves them into ``Settings``): ``STYLIST_PROVIDER``
(default ``offline``), ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``STYLIST_MODEL``,
``STYLIST_TIMEOUT`` (seconds, default 20). A missing key or base URL is not an error: the choice
falls back to offline with a notice, so ``ask`` always answers. Every client is built with a
timeout and ``max_retries=0`` (``ChatOpenAI`` otherwise waits forever on a silent server); an
unreachable server surfaces at call time and the graph falls back per node. Secrets are never
printed: notices name the variable, never its value, and URLs lose any user:password part.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

from core.errors import FashionError

PROVIDERS = ("offline", "openai", "openai-compatible")
DEFAULT_OPENAI_MODEL = "gpt-4.1-mini"
DEFAULT_TIMEOUT_S = 20.0


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


def make_chat_model(provider: str | None = None, *, model: str | None = None, env: Mapping[str, str] | None = None) -> ChatChoice:
    """The configured chat model; offline (with a notice) when its key or server is not set."""
    env = os.environ if env is None else env
    provider = (provider or env.get("STYLIST_PROVIDER") or "offline").strip().lower()
    try:
        timeout = float(env.get("STYLIST_TIMEOUT") or DEFAULT_TIMEOUT_S)
    except ValueError:
        raise FashionError(f"STYLIST_TIMEOUT must be a number of seconds, got {env.get('STYLIST_TIMEOUT')!r}") from None
    match provider:
        case "offline":
            return ChatChoice(None, "offline")
        case "openai":
            key = env.get("OPENAI_API_KEY", "").strip()
            if not key:
                return ChatChoice(None, "offline", notice="STYLIST_PROVIDER=openai but OPENAI_API_KEY is not set; answered offline.")
            from langchain_openai import ChatOpenAI

            name = model or env.get("STYLIST_MODEL") or DEFAULT_OPENAI_MODEL
            chat = ChatOpenAI(model=name, api_key=key, timeout=timeout, max_retries=0, temperature=0.3)
            return ChatChoice(chat, "openai", name, analyzer=structured_analyzer(chat, "openai"))
        case "openai-compatible":
            base_url = env.get("OPENAI_BASE_URL", "").strip()
            if not base_url:
                return ChatChoice(None, "offline", notice="STYLIST_PROVIDER=openai-compatible but OPENAI_BASE_URL is not set; answered offline.")
            from langchain_openai import ChatOpenAI

            name = model or env.get("STYLIST_MODEL") or "local-model"
            chat = ChatOpenAI(
                model=name, base_url=base_url, api_key=env.get("OPENAI_API_KEY") or "not-needed",
                timeout=timeout, max_retries=0, temperature=0.3,
            )  # fmt: skip
            return ChatChoice(chat, "openai-compatible", f"{name} at {safe_url(base_url)}", analyzer=structured_analyzer(chat, "openai-compatible"))
        case _:
            raise FashionError(f"unknown STYLIST_PROVIDER {provider!r}; valid choices: {', '.join(PROVIDERS)}")


def structured_analyzer(chat_model, provider: str):
    """A runnable: analyzer prompt messages -> ``RequestDraft``.

    OpenAI gets native structured output; a local server gets the JSON schema in the prompt and a
    Pydantic parser (works with any server that can write JSON, and with fake models in tests).
    """
    from langchain_core.output_parsers import PydanticOutputParser

    from core.stylist.analyze import RequestDraft

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
