"""Endpoint routing: which server, model and key a conversation's next reply goes to."""
