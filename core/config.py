"""Settings: where the catalogue is and where every derived file goes.

One typed object, built from the environment on demand (never at import time). Every path the
pipeline reads or writes is derived from two roots: ``catalog_dir`` (the raw Kaggle-format
catalogue, read-only) and ``home`` (the working folder). Without ``FASHION_CATALOG`` the generated
demo catalogue under ``home/demo-catalog`` is used, so a fresh clone runs with no data at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

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

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> "Settings":
        """Read ``FASHION_HOME`` / ``FASHION_CATALOG``; explicit ``overrides`` (not None) win."""
        env = os.environ if env is None else env
        values: dict = {}
        if env.get("FASHION_HOME"):
            values["home"] = Path(env["FASHION_HOME"])
        if env.get("FASHION_CATALOG"):
            values["catalog"] = Path(env["FASHION_CATALOG"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("home", "catalog"):
            if values.get(key) is not None:
                values[key] = Path(values[key]).expanduser().resolve()
        return cls(**values)

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
    def quality_dir(self) -> Path:
        """Per-query retrieval results, keyed by model version and catalogue."""
        return self.cache_dir / "quality"

    @property
    def curation_db(self) -> Path:
        """Merchandisers' tags, flags, notes and suggestion decisions (SQLite): user work, not a cache."""
        return self.home / "curation" / "curation.sqlite3"
