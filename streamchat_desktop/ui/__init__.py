"""Widgets only: the window, transcript, composer, sidebar and dialogs."""
