"""``streamchat export`` and ``streamchat import``: conversations in and out, for scripts.

Export writes Markdown or JSON to stdout (``--all`` by default, or one or more
``--conversation ID``; an unambiguous id prefix is enough). Import reads a JSON
export from a file or stdin (``-``); it is idempotent and all-or-nothing. Neither
moves a damaged database aside (the app does that at start) nor touches a reply
the running app is streaming, and neither imports Qt.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from streamchat_desktop.cli.common import fail, profile_of
from streamchat_desktop.storage import SqliteStore, StorageError
from streamchat_desktop.storage.exchange import (
    InvalidExportError,
    export_text,
    import_conversations,
    parse_json,
    to_json,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = subparsers.add_parser(
        "export",
        help="write conversations to stdout as Markdown or JSON",
        description="Write conversations to stdout. Markdown shows each conversation's "
        "current branch; JSON keeps everything (every version) and can be imported back.",
    )
    export.add_argument(
        "--format", choices=("md", "json"), default="md", help="output format (default: md)"
    )
    export.add_argument(
        "--to",
        metavar="DIR",
        help="with --format md: write DIR/conversations.md, with attached images beside it "
        "in DIR/files/ (linked from the Markdown), instead of writing to stdout",
    )
    which = export.add_mutually_exclusive_group()
    which.add_argument(
        "--conversation",
        action="append",
        metavar="ID",
        help="export this conversation (an unambiguous id prefix is enough; repeatable)",
    )
    which.add_argument("--all", action="store_true", help="export every conversation (the default)")
    which.add_argument(
        "--list", action="store_true", help="list conversations: id, last update, title"
    )
    export.set_defaults(func=run)

    importer = subparsers.add_parser(
        "import",
        help="import a JSON export (idempotent)",
        description="Import conversations from a JSON file written by `streamchat export "
        "--format json`. Conversations and messages already present are skipped; a file "
        "that is not a valid export is refused and nothing is written.",
    )
    importer.add_argument("file", metavar="FILE", help="the JSON export, or - for stdin")
    importer.set_defaults(func=run_import)


def run(args: argparse.Namespace) -> int:
    profile = profile_of(args)
    database = profile.database_file
    if not database.exists():
        if args.conversation:
            return fail(f"no conversation {args.conversation[0]!r}: the profile has no history")
        if not args.list:
            sys.stdout.write(to_json([]) if args.format == "json" else "")
        return 0
    try:  # an export only reads: a read-only profile folder is no obstacle
        store = SqliteStore.open(database, recover=False, read_only=profile.is_read_only())
    except StorageError as exc:
        return fail(exc.message)
    try:
        return _export(store, args)
    except StorageError as exc:
        return fail(exc.message)
    finally:
        store.close()


def _export(store: SqliteStore, args: argparse.Namespace) -> int:
    conversations = store.list_conversations()
    if args.list:
        for c in conversations:
            when = datetime.fromtimestamp(c.updated_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            sys.stdout.write(f"{c.id}\t{when}\t{c.title}\n")
        return 0
    if args.conversation:
        ids = []
        for wanted in args.conversation:
            matches = [c.id for c in conversations if c.id.startswith(wanted)]
            if len(matches) != 1:
                problem = "no conversation" if not matches else "more than one conversation"
                return fail(f"{problem} matches {wanted!r} (see `streamchat export --list`)")
            ids.append(matches[0])
    else:
        ids = [c.id for c in conversations]
    nothing_streams = _has_streaming_reply(store, ids) and not _profile_in_use(args)
    if args.to:
        if args.format != "md":
            return fail("--to writes Markdown with its images: use it with --format md", 2)
        from streamchat_desktop.storage.markdown_folder import export_markdown_folder

        try:
            written = export_markdown_folder(
                store, ids, Path(args.to), nothing_streams=nothing_streams
            )
        except OSError as exc:
            return fail(f"cannot write to {args.to}: {exc.strerror or exc}")
        print(f"Wrote {written}")
        return 0
    sys.stdout.write(export_text(store, ids, args.format, nothing_streams=nothing_streams))
    sys.stdout.flush()
    return 0


def _has_streaming_reply(store: SqliteStore, conversation_ids: list[str]) -> bool:
    return any(m.is_streaming_reply for cid in conversation_ids for m in store.all_messages(cid))


def _profile_in_use(args: argparse.Namespace) -> bool:
    from streamchat_desktop.app.single_instance import profile_in_use

    return profile_in_use(profile_of(args).root)


def run_import(args: argparse.Namespace) -> int:
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        return fail(f"cannot read {args.file}: {exc.strerror or exc}")
    try:
        conversations = parse_json(data)
    except InvalidExportError as exc:
        return fail(f"{args.file} was not imported: {exc}")
    profile = profile_of(args)
    if profile.is_read_only():
        return fail(f"the profile folder {profile.root} is read-only: nothing was imported")
    profile.root.mkdir(parents=True, exist_ok=True)
    try:
        store = SqliteStore.open(profile.database_file, recover=False)
    except StorageError as exc:
        return fail(exc.message)
    try:
        result = import_conversations(store, conversations)
    except StorageError as exc:
        return fail(f"{args.file} was not imported: {exc.message}")
    finally:
        store.close()
    print(result.summary)
    return 0
