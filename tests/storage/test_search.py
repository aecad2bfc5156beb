"""Full-text search: ranked hits across conversations, highlighted, safe for any input."""

from __future__ import annotations

import html
from dataclasses import replace

import pytest

from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.storage import SqliteStore
from streamchat_desktop.storage.search import fts_query, split_marks
from tests.support.sqlite_fixtures import add_turns


@pytest.fixture
def filled(store: SqliteStore) -> SqliteStore:
    add_turns(
        store,
        [("How do I sort a list in Python?", "Use sorted(items) or items.sort().")],
        title="Sorting in Python",
    )
    add_turns(
        store,
        [("Recipe for crème brûlée?", "Custard, sugar, and a torch. Python not required.")],
        title="Dessert",
    )
    add_turns(
        store,
        [("python python python", "A snake, a snake, a python.")],
        title="Snakes",
    )
    return store


def test_hits_carry_conversation_message_and_highlights(filled: SqliteStore) -> None:
    hits = filled.search("sort")
    assert {h.conversation_title for h in hits} == {"Sorting in Python"}
    for hit in hits:
        assert hit.highlights
        for start, end in hit.highlights:
            assert hit.snippet[start:end].lower().startswith("sort")
        assert filled.get_message(hit.message_id) is not None
    first = hits[0]
    assert first.marked("<b>", "</b>").count("<b>") == len(first.highlights)


def test_hits_are_ranked_best_first(filled: SqliteStore) -> None:
    hits = filled.search("python")
    assert len(hits) == 4
    assert hits[0].snippet == "python python python"
    assert [h.rank for h in hits] == sorted(h.rank for h in hits)


def test_every_word_must_match(filled: SqliteStore) -> None:
    assert [h.conversation_title for h in filled.search("python torch")] == ["Dessert"]


def test_diacritics_and_case_are_ignored(filled: SqliteStore) -> None:
    hits = filled.search("CREME BRULEE")
    assert len(hits) == 1
    assert hits[0].snippet[slice(*hits[0].highlights[0])] == "crème"


def test_the_last_word_matches_as_a_prefix_while_typing(filled: SqliteStore) -> None:
    assert filled.search("custa")
    assert filled.search("custa ") == []  # a finished word matches whole words only


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"unbalanced',
        "*",
        "python*",
        "AND",
        "python AND",
        "OR OR",
        "NOT python",
        "-python",
        "python -snake",
        "NEAR(python snake)",
        "col:python",
        "^python",
        "python)",
        "((",
        "'; DROP TABLE messages; --",
        "\x00",
        "🐍",
        "   ",
        "",
    ],
)
def test_any_text_is_a_safe_query(filled: SqliteStore, query: str) -> None:
    hits = filled.search(query)
    assert isinstance(hits, list)
    assert filled.message_count() == 6


def test_operators_are_searched_as_words(store: SqliteStore) -> None:
    add_turns(store, [("rock AND roll", "NOT a problem")])
    assert len(store.search("AND roll")) == 1
    assert len(store.search("NOT")) == 1
    assert store.search("NOT python") == []


def test_fts_query_quotes_every_term() -> None:
    assert fts_query('say "hi" -now') == '"say" """hi""" "-now" *'
    assert fts_query("done ") == '"done"'
    assert fts_query("- * ( )") is None


def test_snippet_text_is_plain_and_escapable(store: SqliteStore) -> None:
    add_turns(store, [("<script>alert(1)</script> markup", "ok")])
    (hit,) = store.search("markup")
    marked = hit.marked("<mark>", "</mark>", html.escape)
    assert "&lt;script&gt;" in marked
    assert "<mark>markup</mark>" in marked


def test_split_marks() -> None:
    text, spans = split_marks("a \ue000bc\ue001 d \ue000e\ue001")
    assert text == "a bc d e"
    assert spans == ((2, 4), (7, 8))


def test_a_streaming_reply_is_searchable_once_it_ends(store: SqliteStore) -> None:
    conversation, _ = add_turns(store, [])
    reply = Message(
        role=Role.ASSISTANT,
        content="",
        conversation_id=conversation.id,
        state=MessageState.STREAMING,
    )
    store.add_message(reply)
    for text in ("quokka", "quokka habitat", "quokka habitat rottnest"):
        store.save_message(replace(reply, content=text))
    assert store.search("quokka") == []
    store.save_message(
        replace(reply, content="quokka habitat rottnest island", state=MessageState.COMPLETE)
    )
    (hit,) = store.search("rottnest")
    assert hit.message_id == reply.id
    store.save_message(replace(reply, content="edited away", state=MessageState.COMPLETE))
    assert store.search("rottnest") == []
    assert len(store.search("edited")) == 1


def test_deleted_conversations_leave_no_hits(filled: SqliteStore) -> None:
    doomed = filled.search("torch")[0].conversation_id
    filled.delete_conversation(doomed)
    assert filled.search("torch") == []
    assert filled.search("custard") == []


def test_limit(filled: SqliteStore) -> None:
    assert len(filled.search("python", limit=2)) == 2
    assert filled.search("python", limit=0) == []
