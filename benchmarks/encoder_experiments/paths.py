"""Where the experiment scripts read and write (environment variables), and the project on sys.path."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
HOME = os.environ.get("EXP_HOME", "/tmp/fh")  # a built home on the real catalogue
OUT = os.environ.get("EXP_OUT", "/tmp/exp")  # where the dumped features go
MODEL = os.environ.get("EXP_MODEL", "lit-v2")
CATALOG = os.environ.get("FASHION_CATALOG", str(ROOT.parent / "shared/datasets/fashion-product-images-small"))
