"""The model list marks the models the server says take images."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from streamchat_desktop.ui.endpoint_picker import AD_HOC, IMAGES_TIP, EndpointPicker


def test_models_that_take_images_are_marked(qtbot: Any) -> None:
    picker = EndpointPicker()
    qtbot.addWidget(picker)
    picker.set_choices([(AD_HOC, "local")], AD_HOC, "a")
    picker.set_models(AD_HOC, ["a", "llava"], {"llava"})
    combo = picker.models
    tips = [combo.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(combo.count())]
    assert tips == [None, IMAGES_TIP]
    assert combo.itemData(1, Qt.ItemDataRole.FontRole).bold()
    assert combo.currentText() == "a"  # the names themselves are untouched
