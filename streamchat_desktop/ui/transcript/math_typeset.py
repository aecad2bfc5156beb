"""One formula typeset: LaTeX → SVG (ziamath) → an image in a colour at a pixel ratio (QtSvg).

This runs on the typesetter's worker thread (``math_cache``), one formula at a time; the
lock makes it safe from any thread all the same (ziamath keeps module state: its loaded
fonts, equation numbers). Model output is untrusted: a formula longer than ``MAX_LATEX``
characters, of more than ``MAX_TOKENS`` symbols or nested deeper than ``MAX_NESTING`` is
refused before ziamath sees it (ziamath is pure Python and holds the GIL: ``'a+' * 990``
took 1.5–4 s, the GUI thread starving meanwhile); one whose image would be huge (a short
``\\rule{300em}{300em}``) is refused before it is rasterised; and any error ziamath raises
makes the formula "malformed" (shown as its source, as code).
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

MAX_LATEX = 500  # characters: a longer formula is shown as its source
MAX_TOKENS = 300  # commands and other symbols: ziamath's time grows with them
MAX_NESTING = 30  # braces, \left and \begin inside each other
MARGIN = 1.0  # ziamath's margin around the formula, pixels
MAX_SIDE = 4_096.0  # logical pixels: a wider or taller formula is shown as its source
MAX_PIXELS = 16_000_000  # device pixels of one image (64 MiB at 4 bytes each)
_LOCK = threading.Lock()
_OPENERS = re.compile(r"\\begin\b|\\left\b|\{")
_CLOSERS = re.compile(r"\\end\b|\\right\b|\}")
_SYMBOLS = re.compile(r"\\[A-Za-z]+|\S")
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
    if sum(1 for _ in _SYMBOLS.finditer(latex)) > MAX_TOKENS:
        return "too many symbols"
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


def fits(width: float, height: float, ratio: float) -> bool:
    """Whether an image of ``width``×``height`` logical pixels at ``ratio`` is small enough
    to make (a few characters of LaTeX can ask for gigabytes)."""
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        return False
    return math.ceil(width * ratio) * math.ceil(height * ratio) <= MAX_PIXELS


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
    if not fits(width, height, ratio):
        log.debug("formula too big to show (%.0f×%.0f): %.80r", width, height, latex)
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
