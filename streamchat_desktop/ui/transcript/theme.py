"""Light and dark transcript themes, derived from the system palette, with matching code colours.

pygments' styles load when a dark theme or the first code block needs them, not at import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from pygments.token import _TokenType
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette, QTextCharFormat

LIGHT_CODE_STYLE = "default"
DARK_CODE_STYLE = "github-dark"


def _mix(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` of the way towards ``b``."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )


@dataclass(frozen=True)
class Theme:
    """Colours of one transcript look; ``dark`` follows the palette's window lightness."""

    dark: bool
    text: QColor
    dim: QColor
    link: QColor
    user_background: QColor
    quote_background: QColor
    quote_bar: QColor
    inline_code_background: QColor
    code_background: QColor
    code_header_background: QColor
    table_border: QColor
    table_header_background: QColor
    error: QColor
    code_style: str
    mono: QFont = field(default_factory=lambda: QFont("monospace"))

    @staticmethod
    def from_palette(palette: QPalette) -> Theme:
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        dark = base.lightness() < 128
        if dark:
            from pygments.styles import get_style_by_name

            style = get_style_by_name(DARK_CODE_STYLE)
            code_bg = QColor(style.background_color or "#0d1117")
        else:  # the light style's own background is not used
            code_bg = _mix(base, QColor("#e8ebef"), 0.8)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        accent = palette.color(QPalette.ColorRole.Highlight)
        return Theme(
            dark=dark,
            text=text,
            dim=_mix(text, base, 0.45),
            link=palette.color(QPalette.ColorRole.Link),
            user_background=_mix(base, accent, 0.16 if dark else 0.1),
            quote_background=_mix(base, text, 0.035),
            quote_bar=_mix(base, accent, 0.55),
            inline_code_background=_mix(base, text, 0.09),
            code_background=code_bg,
            code_header_background=_mix(code_bg, text, 0.08),
            table_border=_mix(base, text, 0.3),
            table_header_background=_mix(base, text, 0.06),
            error=QColor("#ff7b72" if dark else "#b3261e"),
            code_style=DARK_CODE_STYLE if dark else LIGHT_CODE_STYLE,
            mono=mono,
        )

    def code_format(self, ttype: _TokenType) -> QTextCharFormat:
        """The character format of one pygments token type (cached per theme)."""
        return QTextCharFormat(_code_format(self.dark, self.mono.family(), ttype))


@lru_cache(maxsize=1024)
def _code_format(dark: bool, family: str, ttype: _TokenType) -> QTextCharFormat:
    from pygments.styles import get_style_by_name

    style = get_style_by_name(DARK_CODE_STYLE if dark else LIGHT_CODE_STYLE)
    spec = style.style_for_token(ttype)
    fmt = QTextCharFormat()
    fmt.setFontFamilies([family, "monospace"])
    fmt.setFontFixedPitch(True)
    if spec.get("color"):
        fmt.setForeground(QColor(f"#{spec['color']}"))
    elif dark:
        fmt.setForeground(QColor("#e6edf3"))
    if spec.get("bold"):
        fmt.setFontWeight(QFont.Weight.Bold)
    if spec.get("italic"):
        fmt.setFontItalic(True)
    if spec.get("underline"):
        fmt.setFontUnderline(True)
    return fmt
