"""``streamchat keys set|list|delete``: keys in the keychain, read from stdin, never argv.

A key on the command line would sit in shell history and in every process listing;
stdin (a pipe, or a hidden prompt on a terminal) leaves no such trace.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from streamchat_desktop.cli.common import fail, profile_of
from streamchat_desktop.config.keystore import KeychainUnavailable, KeyStore, check_key
from streamchat_desktop.config.settings import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "keys",
        help="store, list or delete API keys in the system keychain",
        description="API keys live only in the system keychain, one per provider.",
    )
    actions = parser.add_subparsers(dest="keys_command", metavar="ACTION", required=True)

    store = actions.add_parser(
        "set",
        help="store a provider's key, read from stdin",
        description="Read the key from stdin (e.g. `printenv MY_KEY | streamchat keys set ID`); "
        "on a terminal it is asked for without echo. One trailing newline is dropped.",
    )
    store.add_argument("id", metavar="ID", help="a configured provider id")
    store.set_defaults(func=run_set)

    listing = actions.add_parser("list", help="show which providers have a key (never the key)")
    listing.set_defaults(func=run_list)

    delete = actions.add_parser("delete", help="delete a provider's key from the keychain")
    delete.add_argument("id", metavar="ID")
    delete.set_defaults(func=run_delete)


def read_key(stream: TextIO, prompt: str) -> str:
    """The key from a pipe (one trailing newline dropped) or a hidden terminal prompt."""
    if stream.isatty():
        return getpass.getpass(prompt)
    text = stream.read()
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text


def run_set(args: argparse.Namespace) -> int:
    settings = Settings.load(profile_of(args))
    if settings.provider(args.id) is None:
        known = ", ".join(settings.provider_ids()) or "none configured yet"
        return fail(
            f"unknown provider {args.id!r} (known: {known}); "
            "add it first with `streamchat providers add`"
        )
    try:
        key = check_key(read_key(sys.stdin, f"API key for {args.id}: "))
    except ValueError as exc:
        return fail(f"{exc}; nothing was stored", 2)
    keys = KeyStore()
    try:
        keys.set(args.id, key)
        where = keys.backend_name()
    except KeychainUnavailable as exc:
        return fail(exc.message)
    print(f"stored the key for {args.id} in {where}", file=sys.stderr)
    return 0


def run_list(args: argparse.Namespace) -> int:
    settings = Settings.load(profile_of(args))
    if not settings.providers:
        print("no providers configured (add one with `streamchat providers add`)", file=sys.stderr)
        return 0
    keys = KeyStore()
    width = max(len(p.id) for p in settings.providers)
    try:
        rows = [(p.id, keys.has(p.id), p.needs_key) for p in settings.providers]
        print(f"keychain: {keys.backend_name()}", file=sys.stderr)
    except KeychainUnavailable as exc:
        return fail(exc.message)
    for provider_id, stored, needed in rows:
        state = "stored" if stored else ("missing" if needed else "not needed")
        print(f"{provider_id:<{width}}  {state}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    try:
        deleted = KeyStore().delete(args.id)
    except KeychainUnavailable as exc:
        return fail(exc.message)
    print(
        f"deleted the key for {args.id}" if deleted else f"no key was stored for {args.id}",
        file=sys.stderr,
    )
    return 0
