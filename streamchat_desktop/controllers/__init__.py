"""QObjects that turn core events into Qt signals (QtCore only, no widgets)."""
