"""StreamChat Desktop: a desktop client that streams chat-model answers word by word."""

__version__ = "0.1.0"
