"""Script-friendly subcommands (no Qt): each module has ``register(subparsers)``."""
