"""The hub's words to staff, in Spanish: every refusal the hub's policy can write and every
notice summary, matched and said again; "al", never "a el"; an unknown sentence kept."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from domain.impact import Impact, impact_sentence
from domain.staff_words import reason_in, summary_in

POLICY = Path(__file__).resolve().parents[2] / "hub" / "policy.py"
SAMPLES = {
    "member_id": "ben", "req.requested_by": "ben", "member.role": "technician", "req.role": "supervisor",
    "self.front_desk_max_late_min": "30", "refusal": "ben is not on this practice's staff list",
    "what": "out today", "PRACTICE_CLI_ID!r": "'practice'", "requested_at[:20]!r": "'yesterday'",
    "_span(self.proof_max_age_s)": "10 minutes",
}  # fmt: skip


def _policy_reasons() -> list[str]:
    """Every reason ``hub/policy.py`` returns, its placeholders filled with sample values."""
    out = []
    for node in ast.walk(ast.parse(POLICY.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Return) and node.value is not None:
            source = ast.get_source_segment(POLICY.read_text(encoding="utf-8"), node.value) or ""
            if not source.startswith(('f"', '"', "f'", "(")) or source in ('""', "''"):
                continue
            text = re.sub(r"\{([^}]+)\}", lambda m: SAMPLES.get(m[1], m[1]), source)
            text = re.sub(r'^f?"|"$', "", text.split(" + (")[0].strip())
            if text and 'h" if' not in text:
                out.append(text)
    return out


def test_the_policy_file_was_read() -> None:
    reasons = _policy_reasons()
    assert len(reasons) >= 10, reasons
    assert "technicians cannot change provider status" in reasons


@pytest.mark.parametrize("reason", _policy_reasons())
def test_every_reason_the_hub_gives_reads_in_spanish(reason: str) -> None:
    spanish = reason_in(reason, "es")
    assert spanish != reason, f"no Spanish for {reason!r}"
    assert reason_in(reason, "en") == reason


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ("ben is front_desk, not supervisor", "ben es recepción, no supervisor"),
        ("out today needs a supervisor or a supervisor's approval",
         "«ausente hoy» necesita un supervisor o su aprobación"),
        ("the supervisor's approval: the staff proof for ana does not match the request",
         "la aprobación del supervisor: la prueba de ana no corresponde a la solicitud"),
        ("front desk may set up to 30 minutes late; ask a supervisor",
         "recepción puede fijar hasta 30 minutos de retraso; pídalo a un supervisor"),
    ],
)  # fmt: skip
def test_reasons_in_spanish(english: str, spanish: str) -> None:
    assert reason_in(english, "es") == spanish


@pytest.mark.parametrize(
    ("state", "delay", "leaving", "impact", "spanish"),
    [
        ("out", 0, "", Impact(14, 3, 2), "Dr. Ana Martinez ausente hoy: 14 citas afectadas, 3 pacientes ya "
         "registrados, 2 en camino (ventana de llegada abierta)"),
        ("late", 20, "", Impact(1, 1, 0), "Dr. Ana Martinez con 20 minutos de retraso: 1 cita afectada, "
         "1 paciente ya registrado, 0 en camino (ventana de llegada abierta)"),
        ("leaving_early", 0, "15:30", Impact(2, 0, 0), "Dr. Ana Martinez sale temprano a las 15:30: 2 citas "
         "afectadas, 0 pacientes ya registrados, 0 en camino (ventana de llegada abierta)"),
        ("on_time", 0, "", Impact(0, 0, 0), "Dr. Ana Martinez de vuelta a su horario: 0 citas afectadas, "
         "0 pacientes ya registrados, 0 en camino (ventana de llegada abierta)"),
    ],
)  # fmt: skip
def test_notice_summaries_in_spanish(
    state: str, delay: int, leaving: str, impact: Impact, spanish: str
) -> None:
    english = impact_sentence("Dr. Ana Martinez", state, impact, delay, leaving)
    assert summary_in(english, "es") == spanish
    assert summary_in(english, "en") == english


def test_a_sentence_no_rule_knows_is_shown_as_the_hub_wrote_it() -> None:
    assert reason_in("the moon is in the wrong phase", "es") == "the moon is in the wrong phase"
    assert summary_in("something new", "es") == "something new"


def test_spanish_contractions() -> None:
    from domain.spanish import contract

    assert (
        contract("Puede ver a el doctor Patel o pasar a recepción.")
        == "Puede ver al doctor Patel o pasar a recepción."
    )
    assert contract("La hora de el doctor") == "La hora del doctor"
    assert contract("A el doctor le avisamos.") == "Al doctor le avisamos."
    assert contract("Vaya a El Paso") == "Vaya a El Paso"  # a place's name keeps its article
