"""``streamchat providers add|list|remove``: configure servers without the window."""

from __future__ import annotations

import argparse
import sys

from streamchat_desktop.cli.common import fail, profile_of
from streamchat_desktop.config.keystore import KeychainUnavailable, KeyStore
from streamchat_desktop.config.settings import (
    ProviderConfig,
    Settings,
    SettingsError,
    check_provider_id,
)
from streamchat_desktop.config.settings_service import SettingsService
from streamchat_desktop.providers.presets import PRESETS, is_loopback, normalize_base_url, preset

PRESET_KINDS = [p.kind for p in PRESETS]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "providers",
        help="add, list or remove configured providers (servers)",
        description="Configure OpenAI-compatible servers. Keys are managed with `streamchat keys`.",
    )
    actions = parser.add_subparsers(dest="providers_command", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add",
        help="add a provider",
        description="Add a provider. Give --base-url, or --preset (or an ID that names a "
        f"preset: {', '.join(PRESET_KINDS[:-1])}) to use its usual URL.",
    )
    add.add_argument("id", metavar="ID", help="a short name, e.g. openai, ollama, work-vllm")
    add.add_argument("--base-url", metavar="URL", help="the server's OpenAI-compatible base URL")
    add.add_argument("--preset", choices=PRESET_KINDS, help="kind of server (fills the URL)")
    add.add_argument("--model", metavar="NAME", help="default model")
    add.add_argument("--name", metavar="NAME", help="display name")
    add.add_argument(
        "--needs-key",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="whether the server needs an API key (default: from the preset; custom servers "
        "need one unless they are on this machine)",
    )
    add.add_argument("--replace", action="store_true", help="replace a provider with this ID")
    add.set_defaults(func=run_add)

    listing = actions.add_parser("list", help="list configured providers")
    listing.set_defaults(func=run_list)

    remove = actions.add_parser("remove", help="remove a provider and its stored key")
    remove.add_argument("id", metavar="ID")
    remove.set_defaults(func=run_remove)


def build_config(args: argparse.Namespace) -> ProviderConfig:
    """The provider the arguments describe; ValueError with a message for bad input."""
    check_provider_id(args.id)
    kind = args.preset or (args.id if args.id in PRESET_KINDS[:-1] else "custom")
    chosen = preset(kind)
    raw_url = args.base_url or chosen.base_url
    if not raw_url:
        raise ValueError("give --base-url URL (or --preset KIND)")
    url = normalize_base_url(raw_url)
    needs_key = args.needs_key
    if needs_key is None:
        needs_key = chosen.needs_key if kind != "custom" else not is_loopback(url)
    return ProviderConfig(
        id=args.id,
        display_name=args.name or (chosen.display_name if kind != "custom" else args.id),
        base_url=url,
        preset=kind,
        default_model=args.model or chosen.default_model,
        needs_key=needs_key,
    )


def run_add(args: argparse.Namespace) -> int:
    profile = profile_of(args)
    try:
        config = build_config(args)
    except ValueError as exc:
        return fail(str(exc), 2)
    service = SettingsService(Settings.load(profile), profile)
    if service.current.provider(config.id) is not None and not args.replace:
        return fail(f"provider {config.id!r} exists already (use --replace to overwrite it)")

    def add(settings: Settings) -> None:
        settings.upsert_provider(config)
        if settings.active_provider_id is None:
            settings.active_provider_id = config.id

    try:
        service.update(add)
    except SettingsError as exc:
        return fail(str(exc))
    key_hint = f"; store its key with `streamchat keys set {config.id}`" if config.needs_key else ""
    print(f"added provider {config.id} ({config.base_url}){key_hint}", file=sys.stderr)
    return 0


def run_list(args: argparse.Namespace) -> int:
    settings = Settings.load(profile_of(args))
    if not settings.providers:
        print("no providers configured (add one with `streamchat providers add`)", file=sys.stderr)
        return 0
    width = max(len(p.id) for p in settings.providers)
    for p in settings.providers:
        active = "*" if p.id == settings.active_provider_id else " "
        model = p.default_model or "-"
        key = "key" if p.needs_key else "no-key"
        print(f"{active} {p.id:<{width}}  {p.base_url}  {model}  {key}  {p.display_name}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    profile = profile_of(args)
    service = SettingsService(Settings.load(profile), profile)
    try:
        service.update(lambda settings: settings.remove_provider(args.id))
    except KeyError:
        known = ", ".join(service.current.provider_ids()) or "none"
        return fail(f"unknown provider {args.id!r} (known: {known})")
    except SettingsError as exc:
        return fail(str(exc))
    print(f"removed provider {args.id}", file=sys.stderr)
    try:
        KeyStore().delete(args.id)
    except KeychainUnavailable as exc:
        print(
            f"streamchat: its key (if any) is still in the keychain: {exc.message} "
            f"Delete it later with `streamchat keys delete {args.id}`.",
            file=sys.stderr,
        )
    return 0
