"""Unexpected errors (bugs): logged with their traceback, shown in a dialog, app keeps running."""

from __future__ import annotations

import logging
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from streamchat_desktop.config.logging_setup import scrub

log = logging.getLogger(__name__)

# A parentless QMessageBox is deleted with its Python wrapper: without a reference held
# here, the dialog would vanish the moment ``report_bug`` returns.
_open_dialogs: set[QMessageBox] = set()


def report_bug(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    *,
    log_file: str = "",
) -> None:
    log.error("unexpected error", exc_info=(exc_type, exc, tb))
    if QApplication.instance() is None:
        return
    box = QMessageBox(QMessageBox.Icon.Critical, "StreamChat — unexpected error", "")
    box.setText(
        "Something went wrong inside StreamChat. Your conversations are safe and the "
        "app keeps running."
    )
    where = f"\n\nThe details are in the log: {log_file}" if log_file else ""
    box.setInformativeText(scrub(f"{exc_type.__name__}: {exc}") + where)
    box.setDetailedText(scrub("".join(traceback.format_exception(exc_type, exc, tb))))
    box.setModal(False)
    _open_dialogs.add(box)
    box.finished.connect(lambda _result: _open_dialogs.discard(box))
    box.finished.connect(box.deleteLater)
    box.show()
