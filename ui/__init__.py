"""The touch UI: a Qt Quick skin over the Qt-free check-in flow.

``ui.app.KioskUi`` builds the window; ``FlowModel`` and ``BoardModel`` are the small QObject
adapters QML sees (as the ``Flow`` and ``Board`` singletons of ``import Kiosk``). Importing
this package does not import Qt: headless kiosks never load it.
"""

__all__ = ["KioskUi", "UiOptions"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from ui import app

        return getattr(app, name)
    raise AttributeError(name)
