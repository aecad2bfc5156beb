"""A masked API-key entry that says where the key will live, shared by both dialogs.

When no keychain can be used it shows the fix (from ``KeychainUnavailable``) and offers
the one alternative we allow: keep the key in memory for this session only.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from streamchat_desktop.config.keystore import KeychainUnavailable, KeyStore, check_key

SESSION_ONLY_TEXT = "Use the key for this session only (it is not saved anywhere)"


class KeyField(QWidget):
    """Key entry (never echoed), where it is stored, and the session-only choice."""

    def __init__(self, keys: KeyStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._keys = keys
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setObjectName("api_key")
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setObjectName("key_status")
        self.session_only = QCheckBox(SESSION_ONLY_TEXT, self)
        self.session_only.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.status)
        layout.addWidget(self.session_only)

    def key(self) -> str:
        return self.edit.text().strip()

    def refresh(self, provider_id: str | None) -> None:
        """Show whether a key is stored for ``provider_id`` and in which keychain."""
        self.edit.clear()
        try:
            where = self._keys.backend_name()
            if provider_id:
                stored = self._keys.has(provider_id)
            else:
                self._keys.check()  # find a locked keychain before the user types a key
                stored = False
        except KeychainUnavailable as exc:
            self.show_unavailable(exc)
            return
        self.session_only.hide()
        self.edit.setPlaceholderText(
            "•••••••• (stored — type a new key to replace it)" if stored else "paste the API key"
        )
        self.status.setStyleSheet("")
        self.status.setText(f"Stored in {where}" if stored else f"Will be stored in {where}")

    def show_unavailable(self, exc: KeychainUnavailable) -> None:
        self.edit.setPlaceholderText("paste the API key")
        self.status.setStyleSheet("color: #b00020;")
        self.status.setText(f"No keychain available: {exc.message}")
        self.session_only.show()

    def validate(self) -> str | None:
        """An error message for what was typed, or None (an empty field is valid: no change)."""
        if not self.key():
            return None
        try:
            check_key(self.key())
        except ValueError as exc:
            return f"API key: {exc}"
        return None

    def store(self, provider_id: str) -> str | None:
        """Save the typed key (if any) for ``provider_id``; an error message or None."""
        key = self.key()
        if not key:
            return None
        try:
            if not self.session_only.isHidden() and self.session_only.isChecked():
                self._keys.set_for_session(provider_id, key)
            else:
                self._keys.set(provider_id, key)
        except KeychainUnavailable as exc:
            self.show_unavailable(exc)
            return f"The key was not saved: {exc.message} You can use it for this session only."
        except ValueError as exc:
            return f"API key: {exc}"
        self.edit.clear()
        return None
