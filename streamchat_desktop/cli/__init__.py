"""The command line: the ``streamchat`` parser and its script-friendly subcommands."""
