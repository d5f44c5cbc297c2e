"""What the hub tells staff, in the staff panel's language.

The hub answers in English sentences (a refused change's reason, ``hub/policy.py``; a
supervisor notice's summary, ``domain.impact.impact_sentence``). The panel shows them in
the language it is in: each known sentence is matched and said again in Spanish. A
sentence no rule knows (a newer hub) is shown as the hub wrote it, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_ROLES_ES = {"front_desk": "recepción", "supervisor": "supervisor", "technician": "técnico"}
_WHAT_ES = {"out today": "ausente hoy", "leaving early": "salida temprana"}

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _rule(pattern: str, say: Callable[[re.Match[str]], str]) -> Rule:
    return re.compile(pattern + r"\Z"), say


def _counted(n: str, one: str, many: str) -> str:
    return f"{n} {one if n == '1' else many}"


_REASONS_ES: tuple[Rule, ...] = (
    _rule(r"only the practice's terminal may use the id '(.+)'",
          lambda m: f"solo la terminal de la práctica puede usar el id «{m[1]}»"),
    _rule(r"(\S+) is not on this practice's staff list",
          lambda m: f"{m[1]} no está en la lista de personal de esta práctica"),
    _rule(r"no staff proof from (\S+) \(PIN or badge\) with the request",
          lambda m: f"la solicitud no trae la prueba de {m[1]} (PIN o tarjeta)"),
    _rule(r"the hub holds no proof key for (\S+) \(provision the hub's staff list\)",
          lambda m: f"el hub no tiene la clave de {m[1]} (cargue la lista de personal en el hub)"),
    _rule(r"the staff proof for (\S+) does not match the request",
          lambda m: f"la prueba de {m[1]} no corresponde a la solicitud"),
    _rule(r"(\S+) is (front_desk|supervisor|technician), not (front_desk|supervisor|technician)",
          lambda m: f"{m[1]} es {_ROLES_ES[m[2]]}, no {_ROLES_ES[m[3]]}"),
    _rule(r"requested_at (.+) is not a time", lambda m: f"requested_at {m[1]} no es una hora"),
    _rule(r"the request is dated in the future \(check the kiosk's clock\)",
          lambda m: "la solicitud tiene fecha futura (revise el reloj del quiosco)"),
    _rule(r"the request is older than (\d+) h; make it again",
          lambda m: f"la solicitud tiene más de {m[1]} h; hágala de nuevo"),
    _rule(r"the request is older than (\d+) minutes; make it again",
          lambda m: f"la solicitud tiene más de {m[1]} minutos; hágala de nuevo"),
    _rule(r"technicians cannot change provider status",
          lambda m: "los técnicos no pueden cambiar el estado de un médico"),
    _rule(r"front desk may set up to (\d+) minutes late; ask a supervisor",
          lambda m: f"recepción puede fijar hasta {m[1]} minutos de retraso; pídalo a un supervisor"),
    _rule(r"the supervisor's approval: (.+)",
          lambda m: f"la aprobación del supervisor: {reason_in(m[1], 'es')}"),
    _rule(r"(out today|leaving early) needs a supervisor or a supervisor's approval",
          lambda m: f"«{_WHAT_ES[m[1]]}» necesita un supervisor o su aprobación"),
    _rule(r"(out today|leaving early) needs a supervisor",
          lambda m: f"«{_WHAT_ES[m[1]]}» necesita un supervisor"),
    _rule(r"unknown provider (\S+)", lambda m: f"médico desconocido: {m[1]}"),
)  # fmt: skip


def _what_es(m: re.Match[str]) -> str:
    if m["late"]:
        return f"con {m['late']} minutos de retraso"
    if m["leaving"]:
        return f"sale temprano a las {m['leaving']}"
    return {"out today": "ausente hoy", "back on schedule": "de vuelta a su horario"}[m["what"]]


_SUMMARY = re.compile(
    r"(?P<name>.+?) (?P<what>out today|running (?P<late>\d+) minutes late|leaving early at (?P<leaving>\S+)"
    r"|back on schedule): (?P<affected>\d+) appointments? affected, (?P<checked>\d+) patients? already"
    r" checked in, (?P<coming>\d+) on their way \(arrival window open\)\Z"
)


def reason_in(reason: str, lang: str) -> str:
    """The hub's reason for refusing a change, in ``lang`` ("en" or "es")."""
    if lang != "es":
        return reason
    for pattern, say in _REASONS_ES:
        found = pattern.match(reason)
        if found:
            return say(found)
    return reason


def summary_in(summary: str, lang: str) -> str:
    """A supervisor notice's summary (``impact_sentence``), in ``lang``."""
    found = _SUMMARY.match(summary)
    if lang != "es" or found is None:
        return summary
    return (
        f"{found['name']} {_what_es(found)}: "
        f"{_counted(found['affected'], 'cita afectada', 'citas afectadas')}, "
        f"{_counted(found['checked'], 'paciente ya registrado', 'pacientes ya registrados')}, "
        f"{found['coming']} en camino (ventana de llegada abierta)"
    )


__all__ = ["reason_in", "summary_in"]
