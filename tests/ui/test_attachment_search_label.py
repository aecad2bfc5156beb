"""A search hit in an attached file's text says so."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QPalette

from streamchat_desktop.core.models import Role
from streamchat_desktop.storage.search import SearchHit
from streamchat_desktop.ui.search_hits import hit_html


def hit(attachment_name: str | None) -> SearchHit:
    return SearchHit("c", "Budget", "m", Role.USER, "the aardvark", ((4, 12),), 0.0, -1.0,
                     attachment_name)  # fmt: skip


def test_hit_in_a_file_names_the_file(qapp: Any) -> None:
    html = hit_html(hit("minutes<1>.txt"), "#ff0", QPalette())
    assert "in attached file minutes&lt;1&gt;.txt" in html
    assert "attached file" not in hit_html(hit(None), "#ff0", QPalette())
