"""Switch the UI language at run time: load ``i18n/kiosk_<lang>.qm`` and retranslate QML."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTranslator
from PySide6.QtQml import QQmlEngine

I18N_DIR = Path(__file__).resolve().parent / "i18n"
LANGUAGES = ("en", "es")  # English is the source language: it needs no file


class Translations(QObject):
    def __init__(self, engine: QQmlEngine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._translator: QTranslator | None = None
        self.language = "en"

    def switch(self, language: str) -> None:
        if language == self.language or language not in LANGUAGES:
            return
        app = QCoreApplication.instance()
        if self._translator is not None and app is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        if language != "en":
            translator = QTranslator(self)
            if not translator.load(str(I18N_DIR / f"kiosk_{language}.qm")):
                raise FileNotFoundError(I18N_DIR / f"kiosk_{language}.qm")
            if app is not None:
                app.installTranslator(translator)
            self._translator = translator
        self.language = language
        self._engine.retranslate()
