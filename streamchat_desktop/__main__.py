"""``python -m streamchat_desktop`` — the same as the ``streamchat`` command."""

from streamchat_desktop.cli.main import main

raise SystemExit(main())
