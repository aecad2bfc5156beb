"""Attachments: reading, checking and converting the files given with a prompt.

Core + ``pypdf`` only. Images are decoded and downscaled by ``imaging`` (QImage),
which this layer receives as a callable, so nothing here needs Qt.
"""
