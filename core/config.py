"""Settings: every knob and secret the project reads, and where every derived file goes.

One typed object, built from the environment on demand (never at import time); this is the only
module that reads ``os.environ`` (the architecture tests check it). Each field names its variable
and says what it does in its metadata, so ``Settings.describe()`` lists them all. Every path the
pipeline reads or writes is derived from two roots: ``catalog_dir`` (the raw Kaggle-format
catalogue, read-only) and ``home`` (the working folder). Without ``FASHION_CATALOG`` the generated
demo catalogue under ``home/demo-catalog`` is used, so a fresh clone runs with no data at all.
Secrets (``OPENAI_API_KEY``, ``HF_TOKEN``) are fields like the others but never appear in
``repr``; for the dashboard, Streamlit exports root-level ``.streamlit/secrets.toml`` keys to the
environment, so they arrive here the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Mapping

from core.errors import FashionError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Paths and knobs of one pipeline run. Build with :meth:`from_env`, override with :meth:`with_`."""

    home: Path = field(
        default=PROJECT_ROOT / "data",
        metadata={"env": "FASHION_HOME", "help": "working folder for every generated file"},
    )
    catalog: Path | None = field(
        default=None,
        metadata={
            "env": "FASHION_CATALOG",
            "help": "folder with styles.csv and images/; unset = the generated demo catalogue",
        },
    )
    seed: int = field(default=0, metadata={"help": "seed for splits, prices and pairs"})
    feature_cache: Path | None = field(
        default=None,
        metadata={"env": "FASHION_FEATURE_CACHE",
                  "help": "feature cache for one-off queries (`search`, the stylist; unset = none); "
                          "training, indexing, evaluation and the dashboard always use HOME/cache"},
    )
    debug: bool = field(
        default=False, metadata={"env": "FASHION_DEBUG", "help": "show tracebacks instead of one-line errors"}
    )
    # -- the vector store --------------------------------------------------------------------
    chroma_host: str | None = field(
        default=None,
        metadata={"env": "CHROMA_HOST", "help": "a Chroma server's host; unset = the embedded store under HOME/chroma"},
    )
    chroma_port: int = field(default=8000, metadata={"env": "CHROMA_PORT", "help": "the Chroma server's port"})
    # -- the stylist's chat model ------------------------------------------------------------
    stylist_provider: str = field(
        default="offline",
        metadata={"env": "STYLIST_PROVIDER", "help": "offline | openai | openai-compatible"},
    )
    stylist_model: str | None = field(
        default=None, metadata={"env": "STYLIST_MODEL", "help": "chat model name (default per provider)"}
    )
    stylist_timeout: float = field(
        default=20.0, metadata={"env": "STYLIST_TIMEOUT", "help": "seconds before a chat model call gives up"}
    )
    openai_base_url: str | None = field(
        default=None,
        metadata={"env": "OPENAI_BASE_URL", "help": "an OpenAI-compatible server (llama.cpp, Ollama, vLLM)"},
    )
    openai_api_key: str | None = field(
        default=None, repr=False,
        metadata={"env": "OPENAI_API_KEY", "secret": True, "help": "key for STYLIST_PROVIDER=openai"},
    )
    hf_token: str | None = field(
        default=None, repr=False,
        metadata={"env": "HF_TOKEN", "secret": True, "help": "only for `python -m core train --push-to-hub`"},
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Read every field's variable from ``env`` (default ``os.environ``); ``overrides`` (not None) win.

        A value that does not parse is a :class:`FashionError` naming the variable.
        """
        env = os.environ if env is None else env
        values: dict = {}
        for spec in fields(cls):
            name = spec.metadata.get("env")
            raw = (env.get(name) or "").strip() if name else ""
            if raw:
                values[spec.name] = _parse(spec.name, name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("home", "catalog", "feature_cache"):
            if values.get(key) is not None:
                values[key] = Path(values[key]).expanduser().resolve()
        return cls(**values)

    @classmethod
    def describe(cls) -> list[tuple[str, str, str]]:
        """``(variable, default, help)`` for every setting read from the environment."""
        return [
            (spec.metadata["env"], "" if spec.metadata.get("secret") or spec.default is None else str(spec.default),
             spec.metadata["help"])
            for spec in fields(cls) if spec.metadata.get("env")
        ]

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    # -- the raw catalogue -------------------------------------------------------------------
    @property
    def uses_demo(self) -> bool:
        return self.catalog is None

    @property
    def demo_dir(self) -> Path:
        return self.home / "demo-catalog"

    @property
    def catalog_dir(self) -> Path:
        return self.demo_dir if self.catalog is None else self.catalog

    @property
    def styles_csv(self) -> Path:
        return self.catalog_dir / "styles.csv"

    @property
    def images_dir(self) -> Path:
        return self.catalog_dir / "images"

    # -- prepare's outputs -------------------------------------------------------------------
    @property
    def processed_dir(self) -> Path:
        return self.home / "processed"

    @property
    def catalog_parquet(self) -> Path:
        return self.processed_dir / "catalog.parquet"

    @property
    def pairs_parquet(self) -> Path:
        return self.processed_dir / "pairs.parquet"

    @property
    def report_json(self) -> Path:
        return self.processed_dir / "report.json"

    # -- later stages ------------------------------------------------------------------------
    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def projections_dir(self) -> Path:
        """2-D maps of the embeddings (UMAP/PCA), keyed by model version and parameters."""
        return self.cache_dir / "projections"

    @property
    def onnx_dir(self) -> Path:
        """ONNX exports of the frozen towers (image backbone, text query encoder)."""
        return self.cache_dir / "onnx"

    @property
    def jit_cache_dir(self) -> Path:
        """numba's compiled functions (UMAP's), so a new process does not compile them again."""
        return self.cache_dir / "numba"

    @property
    def quality_dir(self) -> Path:
        """Per-query retrieval results, keyed by model version and catalogue."""
        return self.cache_dir / "quality"

    @property
    def curation_db(self) -> Path:
        """Merchandisers' tags, flags, notes and suggestion decisions (SQLite): user work, not a cache."""
        return self.home / "curation" / "curation.sqlite3"


def _parse(field_name: str, variable: str, raw: str):
    match field_name:
        case "home" | "catalog" | "feature_cache":
            return Path(raw)
        case "debug":
            return raw.lower() not in ("0", "false", "no", "off")
        case "chroma_port":
            try:
                port = int(raw)
            except ValueError:
                raise FashionError(f"{variable} must be a port number, got {raw!r}") from None
            if not 0 < port < 65536:
                raise FashionError(f"{variable} must be between 1 and 65535, got {port}")
            return port
        case "stylist_timeout":
            try:
                seconds = float(raw)
            except ValueError:
                raise FashionError(f"{variable} must be a number of seconds, got {raw!r}") from None
            if not seconds > 0:
                raise FashionError(f"{variable} must be a positive number of seconds, got {raw!r}")
            return seconds
        case "stylist_provider":
            return raw.lower()
        case _:
            return raw
