"""One formula typeset: LaTeX → SVG (ziamath) → an image in a colour at a pixel ratio (QtSvg).

This runs on the typesetter's worker thread (``math_cache``), one formula at a time; the
lock makes it safe from any thread all the same (ziamath keeps module state: its loaded
fonts, equation numbers). Model output is untrusted: a formula longer than ``MAX_LATEX``
characters or nested deeper than ``MAX_NESTING`` is refused before ziamath sees it, and
any error ziamath raises makes the formula "malformed" (shown as its source, as code).
"""

from __future__ import annotations

import logging
import math
import re
import threading
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

log = logging.getLogger(__name__)

MAX_LATEX = 2_000  # characters: a longer formula is shown as its source
MAX_NESTING = 30  # braces, \left and \begin inside each other
MARGIN = 1.0  # ziamath's margin around the formula, pixels
_LOCK = threading.Lock()
_OPENERS = re.compile(r"\\begin\b|\\left\b|\{")
_CLOSERS = re.compile(r"\\end\b|\\right\b|\}")
_TOKENS = re.compile(r"\\\\|\\[{}]|\\begin\b|\\left\b|\{|\\end\b|\\right\b|\}")


@dataclass(frozen=True, slots=True)
class Formula:
    """A typeset formula: the image and its size in logical pixels; ``depth`` is how far
    the image reaches below the baseline."""

    image: QImage
    width: float
    height: float
    depth: float


def refusal(latex: str) -> str | None:
    """Why ``latex`` is not typeset at all (too big for untrusted input), or None."""
    if len(latex) > MAX_LATEX:
        return "too long"
    depth = deepest = 0
    for match in _TOKENS.finditer(latex):
        token = match.group()
        if token in ("\\\\", "\\{", "\\}"):
            continue
        depth += 1 if _OPENERS.fullmatch(token) else -1
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            return "nested too deep"
    return None


def svg_of(latex: str, *, display: bool, size: float, color: str) -> tuple[str, float] | None:
    """The SVG of ``latex`` and its depth below the baseline, or None if it is malformed."""
    if refusal(latex) is not None or not latex.strip():
        return None
    with _LOCK:
        try:
            from ziamath.config import config
            from ziamath.zmath import Latex

            config.svg2 = False  # QtSvg reads xlink:href, not SVG 2's href
            formula = Latex(latex, size=size, inline=not display, color=color)
            svg = formula.svg()
            depth = MARGIN - formula.getyofst()
        except Exception as exc:  # ziamath raises many kinds; each means "malformed"
            log.debug("formula not typeset (%s): %.80r", type(exc).__name__, latex)
            return None
    return svg, depth


def typeset(latex: str, *, display: bool, size: float, color: str, ratio: float) -> Formula | None:
    """Typeset ``latex`` at ``size`` pixels per em in ``color``, rasterised at the device
    pixel ratio ``ratio``; None if it is malformed or refused."""
    made = svg_of(latex, display=display, size=size, color=color)
    if made is None:
        return None
    svg, depth = made
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    if not renderer.isValid():
        return None
    view = renderer.viewBoxF()
    width, height = view.width(), view.height()
    if not (0 < width < 100_000 and 0 < height < 100_000):
        return None
    image = QImage(
        max(1, math.ceil(width * ratio)),
        max(1, math.ceil(height * ratio)),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    painter.end()
    image.setDevicePixelRatio(ratio)
    return Formula(image, width, height, depth)
