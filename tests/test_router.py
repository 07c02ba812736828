"""The router's one workaround against Streamlit's legacy ``pages/`` mode still has something to work on.

``dashboard.router.leave_legacy_mode`` flips ``PagesManager.uses_pages_directory``, a private flag.
These tests fail loudly when Streamlit changes what that relies on: the flag is gone or renamed,
the script runner no longer branches on it, or ``st.navigation`` no longer clears it. Then look
for a supported way again (or drop the workaround if the legacy mode is gone).
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import streamlit
from streamlit.commands import navigation as navigation_command
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner

ROOT = Path(__file__).resolve().parents[1]
WORKAROUND_FOR = "1.67"


def test_the_private_flag_still_exists_and_is_class_level():
    assert "uses_pages_directory" in vars(PagesManager), (
        f"Streamlit {streamlit.__version__} has no PagesManager.uses_pages_directory: "
        f"revisit dashboard/router.py (written for Streamlit {WORKAROUND_FOR})")


def test_the_script_runner_still_branches_on_the_flag():
    source = inspect.getsource(script_runner)
    assert "PagesManager.uses_pages_directory" in source and "_mpa_v1" in source, (
        "the legacy pages/ mode changed: revisit dashboard/router.py")


def test_navigation_still_clears_the_flag():
    source = inspect.getsource(navigation_command.navigation)
    assert "PagesManager.uses_pages_directory = False" in source


def test_every_page_ends_with_router_show():
    for page in sorted((ROOT / "pages").glob("*.py")):
        body = ast.parse(page.read_text(encoding="utf-8")).body
        last = ast.unparse(body[-1])
        assert last == "router.show(render)", f"{page.name} ends with {last!r}, not router.show(render)"


def test_only_the_router_touches_the_pages_manager():
    users = [str(p.relative_to(ROOT)) for folder in ("pages", "dashboard", "core")
             for p in (ROOT / folder).rglob("*.py") if "PagesManager" in p.read_text(encoding="utf-8")]
    assert users == ["dashboard/router.py"], users
