"""A real FHIR R4 server for tests: Medplum's FHIR router over its in-memory repository
(``tests/support/fhir_server``, installed from npm with ``npm ci`` the first time), in its
own Node process on loopback; and the practice system's side of it (plain HTTP calls)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import requests

from tests.support.broker import free_port

SERVER_DIR = Path(__file__).resolve().parent / "fhir_server"


def ensure_installed() -> None:
    """``npm ci`` once (the lock file pins Medplum's packages); Node must be there (deps/apt-fhir.txt)."""
    if (SERVER_DIR / "node_modules" / "@medplum" / "fhir-router" / "package.json").is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is missing: the FHIR tests need Node.js with npm (deps/apt-fhir.txt)")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=SERVER_DIR, check=True, timeout=600
    )


class FhirServer:
    def __init__(self) -> None:
        ensure_installed()
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is missing: the FHIR tests need Node.js (deps/apt-fhir.txt)")
        self.port = free_port()
        self.proc = subprocess.Popen(
            [node, "server.mjs", str(self.port)], cwd=SERVER_DIR, stdout=subprocess.PIPE, text=True
        )
        line = self.proc.stdout.readline().strip() if self.proc.stdout else ""
        if line != f"ready {self.port}":
            self.stop()
            raise RuntimeError(f"the FHIR server did not start: {line!r}")
        self.url = f"http://127.0.0.1:{self.port}/fhir/R4"
        self.http = requests.Session()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        if hasattr(self, "http"):
            self.http.close()

    # --- the practice system's side ---------------------------------------------------

    def create(self, resource: dict[str, Any]) -> dict[str, Any]:
        res = self.http.post(f"{self.url}/{resource['resourceType']}", json=resource, timeout=10)
        res.raise_for_status()
        body: dict[str, Any] = res.json()
        return body

    def update(self, resource: dict[str, Any]) -> dict[str, Any]:
        res = self.http.put(
            f"{self.url}/{resource['resourceType']}/{resource['id']}", json=resource, timeout=10
        )
        res.raise_for_status()
        body: dict[str, Any] = res.json()
        return body

    def read(self, kind: str, ident: str) -> dict[str, Any]:
        res = self.http.get(f"{self.url}/{kind}/{ident}", timeout=10)
        res.raise_for_status()
        body: dict[str, Any] = res.json()
        return body


def patient(
    given: str = "Mary", family: str = "Smith", dob: str = "1980-01-01", mrn: str = "MRN1"
) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": mrn}],
        "name": [{"use": "official", "family": family, "given": [given]}],
        "birthDate": dob,
        "telecom": [{"system": "phone", "value": "555-0100"}],
    }


def practitioner(family: str = "Chen", given: str = "Wei") -> dict[str, Any]:
    return {"resourceType": "Practitioner", "name": [{"family": family, "given": [given], "prefix": ["Dr."]}]}


def appointment(
    patient_id: str, practitioner_id: str, start: str, minutes: int = 20, status: str = "booked"
) -> dict[str, Any]:
    return {
        "resourceType": "Appointment",
        "status": status,
        "start": start,
        "minutesDuration": minutes,
        "participant": [
            {"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"},
            {"actor": {"reference": f"Practitioner/{practitioner_id}"}, "status": "accepted"},
        ],
    }
