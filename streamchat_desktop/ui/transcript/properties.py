"""Every custom property the transcript sets on its text formats, in one table.

Qt keys a format's properties by number: two names on one number read each other's values
(a tool block's call id, a non-empty string, read as true where "is this a code line?" is
asked: they shared a number until this table). One table keeps each number used once.
"""

from __future__ import annotations

from PySide6.QtGui import QTextFormat

_USER = QTextFormat.Property.UserProperty

MESSAGE_ID_PROPERTY = _USER + 1  # on a message's blocks: its id
SECTION_PROPERTY = _USER + 2  # on a block: its part of the message ("reasoning", "tool"…)
CALL_PROPERTY = _USER + 3  # on a tool block's header: the call id
ORIGINAL_PROPERTY = _USER + 4  # on a run shown otherwise: the model's text, for copies
CODE_LINE_PROPERTY = _USER + 5  # on a line of a code block
ROLE_PROPERTY = _USER + 10  # on a header: "user" or "assistant"
QUOTE_PROPERTY = _USER + 11  # on a block in quotes: their depth
CODE_HEADER_PROPERTY = _USER + 12  # on a code block's header bar
CODE_WRAPPED_PROPERTY = _USER + 13  # on that bar: its lines wrap
LATEX_PROPERTY = _USER + 20  # on a formula: its LaTeX
DISPLAY_PROPERTY = _USER + 21  # on a formula: shown as a display (its own line)
SOURCE_PROPERTY = _USER + 22  # on a formula shown as written: the source, for copies
CODE_BACKGROUND_PROPERTY = _USER + 23  # on a formula inside code: the code's background
