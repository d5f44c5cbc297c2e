"""The phone line as a process: it joins the sync protocol like a kiosk without a screen
(its own id, credential and cache, via ``KioskSync``), and answers calls with what that
cache holds. Callback requests travel as ``staff_event`` (action ``callback_request``)
through the outbox, so the hub records each exactly once."""

from __future__ import annotations

import asyncio
import logging
import ssl
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial

from config.settings import PhoneSettings, Settings, SpeechSettings
from core.clock import Clock, SystemClock
from core.errors import ConfigError, KioskError
from phone import g711
from phone.call import Call
from phone.call_outcomes import CallOutcomes
from phone.caller_id import CallerId
from phone.day_snapshot import DaySnapshot, read_board
from phone.g711 import Samples
from phone.line import LineConfig, PhoneLine
from phone.lookup_limit import LookupLimiter, LookupLimits
from phone.own_appointment import Entry
from phone.own_lookup import Found, look_up, look_up_matched
from phone.prompts import PromptRenderer
from phone.realtime import ordinary_priority, raise_loop_priority
from phone.refer import refer, valid_desk_uri
from phone.register_loop import RegisterLoop, RegisterTarget
from phone.script import CallScript, Day
from phone.sdp import Media
from phone.sip_tls import SipTlsListener, server_context
from phone.transfer import OfficeHours
from phone.voice import CallListening, LineRecognizer
from speech.listener import ListenConfig, Listener
from speech.synth_process import PiperSynthesizer
from speech.vocabulary import Vocabulary, schedule_vocabulary
from speech.voices import choose_voices
from speech.wiring import recognizer_from_settings
from sync import staff_messages as sm
from sync.call_report import CallReport
from sync.kiosk_sync import KioskSync

log = logging.getLogger(__name__)
_VOCABULARY_S = 60.0


def line_config(phone: PhoneSettings) -> LineConfig:
    return LineConfig(
        host=phone.sip_host,
        port=phone.sip_port,
        advertised=phone.advertised_host,
        allowed=tuple(p.strip() for p in phone.allowed_peers.split(",") if p.strip()),
        max_calls=phone.max_calls,
        rtp_timeout_s=phone.rtp_timeout_s,
        max_call_s=phone.max_call_s,
        rtp_ports=(phone.rtp_port_min, phone.rtp_port_max),
        invite_rate=phone.invite_rate,
        invite_burst=phone.invite_burst,
    )


def _tls_listener(line: PhoneLine, phone: PhoneSettings) -> SipTlsListener | None:
    """The SIP-over-TLS listener when ``sip_tls_port`` is set; its certificate is read now,
    so a wrong path fails at start with the key that names it."""
    if not phone.sip_tls_port:
        return None
    if not phone.sip_tls_cert_file or not phone.sip_tls_key_file:
        raise ConfigError("phone.sip_tls_port is set: sip_tls_cert_file and sip_tls_key_file are needed")
    try:
        context = server_context(phone.sip_tls_cert_file, phone.sip_tls_key_file)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"phone.sip_tls_cert_file/sip_tls_key_file: cannot load the certificate ({type(exc).__name__})"
        ) from exc
    return SipTlsListener(
        line, phone.sip_host, phone.sip_tls_port, context, max_connections=2 * phone.max_calls
    )


def register_target(phone: PhoneSettings) -> RegisterTarget | None:
    """Where the line registers, or None (``registrar`` empty: it only takes calls from
    ``allowed_peers``)."""
    if not phone.registrar:
        return None
    host, colon, port = phone.registrar.strip().rpartition(":")
    if not colon or not port.isdigit() or not 0 < int(port) < 65536:
        host, port = phone.registrar.strip(), "5060"
    if not host or any(ch in host for ch in " /@;<>"):
        raise ConfigError(f"phone.registrar = {phone.registrar[:60]!r}: expected host or host:port")
    if not phone.sip_user:
        raise ConfigError("phone.registrar is set but phone.sip_user is empty: the user to register as")
    return RegisterTarget(
        host, int(port), phone.sip_user, phone.sip_password, phone.sip_domain, phone.register_expires
    )


class PhoneService:
    """Build, ``await start()``, ``await stop()``; the sync worker runs beside the loop."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock | None = None,
        sync: KioskSync | None = None,
        recognizer: LineRecognizer | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.sync = sync or KioskSync(settings, clock=self.clock, line=True)
        self.renderer = prompt_renderer(settings.speech)
        self._render_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="phone-tts")
        self.line = PhoneLine(line_config(settings.phone), self._make_call)
        self.caller_id = CallerId(self.sync.link, self.sync.tree, settings.kiosk.id, self.line.stats)
        self.sync.add_listener(self.caller_id.on_change)
        target = register_target(settings.phone)
        self.register = RegisterLoop(self.line, target) if target is not None else None
        self.tls = _tls_listener(self.line, settings.phone)
        self.callbacks_recorded = 0
        self.realtime = False  # the event loop runs at SCHED_RR (phone/realtime.py)
        self.outcomes = CallOutcomes(self._report)
        self.snapshot = DaySnapshot(self.sync)
        phone = settings.phone
        if phone.desk_uri and not valid_desk_uri(phone.desk_uri):
            raise ConfigError(
                f"phone.desk_uri = {phone.desk_uri[:60]!r}: expected a SIP URI like sip:200@pbx"
            )
        self.desk_hours = OfficeHours.parse(phone.desk_hours)
        self.lookup_limit = LookupLimiter(
            LookupLimits(phone.own_lookup_failures, phone.own_lookup_window_s, phone.own_lookup_line_failures)
        )
        self._number_keys: dict[str, str] = {}  # the line's call id -> the limiter's key of its number
        self.recognizer = recognizer or (line_recognizer(settings.speech) if phone.listen else None)
        self._vocabulary: tuple[float, Vocabulary] | None = None

    async def start(self) -> None:
        self.caller_id.bind(asyncio.get_running_loop())
        self.sync.start()
        self.snapshot.start()
        # The fixed prompts rendered before the first call, so answering never waits for them
        # (nor for a synthesizer busy with another call's sentence: cached ones skip the thread).
        phone = self.settings.phone
        opening = CallScript(
            self.settings.ui.practice_name, phone.emergency_number, desk=bool(phone.desk_uri),
            voice=self.recognizer is not None,
        )  # fmt: skip
        for text in opening.opening(Day([], {}, "")):
            await asyncio.to_thread(self.renderer.render, text, "en")
        await asyncio.to_thread(g711.warm_up)  # the codec tables, built once
        if self.recognizer is not None:
            await asyncio.to_thread(self.recognizer.warm_up)  # the models, before the first caller
        # After the sync worker, the recognizer and the first to_thread started: they stay ordinary.
        self.realtime = raise_loop_priority(self.settings.phone.rt_priority)
        await self.line.start()
        if self.tls is not None:
            await self.tls.start()
        if self.register is not None:
            await self.register.start()

    async def stop(self) -> None:
        if self.register is not None:
            await self.register.stop()
        if self.tls is not None:
            await self.tls.stop()
        await self.line.stop()
        self.snapshot.stop()
        await self.outcomes.stop()  # the reports of the calls stopping just ended
        if self.realtime:
            ordinary_priority()
            self.realtime = False
        if self.recognizer is not None:
            await asyncio.to_thread(self.recognizer.close)
        await asyncio.to_thread(self._render_pool.shutdown, wait=True, cancel_futures=True)
        await asyncio.to_thread(self.renderer.close)
        await asyncio.to_thread(self.sync.stop)

    def alive(self) -> bool:
        return self.sync.alive()

    # --- what calls use -----------------------------------------------------------------

    def _make_call(self, call_id: str, media: Media, caller: str) -> Call:
        phone = self.settings.phone
        listening = (
            CallListening(self.recognizer, lambda: self.clock.now().date(), self.vocabulary)
            if self.recognizer is not None
            else None
        )
        script = CallScript(
            self.settings.ui.practice_name, phone.emergency_number, desk=bool(phone.desk_uri),
            voice=listening is not None,
        )  # fmt: skip
        call = Call(
            call_id, media, script, self._render, self.day, self._callback, caller, self._find,
            self._transfer, listening,
        )  # fmt: skip
        self._number_keys[call_id] = self.lookup_limit.number_key(caller)
        script.own.may_look_up = partial(self._may_look_up, call)
        script.own.ask_caller = partial(self.caller_id.ask, call_id, caller)
        script.own.caller_match = partial(self.caller_id.matched, call_id)
        script.own.charge_abandoned = partial(self._charge_abandoned, call)
        self.outcomes.begin(call)
        return call

    async def vocabulary(self) -> Vocabulary:
        """Today's first names and birth dates for the grammars (never spoken), read from the
        cache at most every ``_VOCABULARY_S`` (a booking made since is heard soon after)."""
        now = self.clock.monotonic()
        if self._vocabulary is None or now - self._vocabulary[0] > _VOCABULARY_S:
            today = self.clock.now().date()
            vocab = await asyncio.to_thread(
                self.sync.call, lambda cache: schedule_vocabulary(cache, today), 5.0
            )
            self._vocabulary = (now, vocab)
        return self._vocabulary[1]

    async def _render(self, text: str, lang: str) -> Samples:
        hit = self.renderer.cached(text, lang)
        if hit is not None:
            return hit
        # Its own threads: a call hung up mid-opening leaves its sentences rendering, and they
        # must not hold the threads the next call's cached day is read on.
        return await asyncio.get_running_loop().run_in_executor(
            self._render_pool, self.renderer.render, text, lang
        )

    async def day(self) -> Day:
        """The cached day as the sync worker last committed it (``phone.day_snapshot``;
        asked of the worker until its first snapshot arrives)."""
        today = self.clock.now().date().isoformat()
        board = self.snapshot.board
        if board is None:
            board = await asyncio.to_thread(self.sync.call, read_board, 5.0)
        providers, statuses = board
        return Day(providers, statuses, today, self.sync.is_live())

    async def _find(self, call: Call, entry: Entry) -> Found | None:
        """The caller's own appointment, looked up in the cache on the sync worker's thread.
        Counted by outcome; the log names the call only."""
        if not self._may_look_up(call):  # the limit was passed while the caller keyed
            raise LookupRefused("too many failed lookups")
        now, stale = self.clock.now(), not self.sync.is_live()
        if entry.matched:
            return await self._find_matched(call, entry, now, stale)
        found = await asyncio.to_thread(
            self.sync.call,
            lambda cache: look_up(cache, entry.digits, entry.keys, now, stale, first_name=entry.name),
            5.0,
        )
        outcome = "found" if found is not None else "not_found"
        self.line.stats[f"own_lookup_{outcome}"] += 1
        self.outcomes.mark(call, "own_found" if found is not None else "own_not_found")
        if found is None:
            self.lookup_limit.failed(self._number_key(call), self.clock.monotonic())
        log.info("own appointment lookup", extra={"call": call.call_id, "outcome": outcome})
        return found

    async def _find_matched(self, call: Call, entry: Entry, now: datetime, stale: bool) -> Found | None:
        """The caller-ID match's appointment when the date is its own; None (not a failure:
        the caller is asked for the letters next, and that lookup counts) otherwise."""
        found = await asyncio.to_thread(
            self.sync.call, lambda cache: look_up_matched(cache, entry.matched, entry.digits, now, stale), 5.0
        )
        outcome = "found" if found is not None else "other_date"
        self.line.stats[f"own_lookup_caller_id_{outcome}"] += 1
        if found is not None:
            self.line.stats["own_lookup_found"] += 1
            self.outcomes.mark(call, "own_found")
        log.info("own appointment lookup by caller id", extra={"call": call.call_id, "outcome": outcome})
        return found

    def _charge_abandoned(self, call: Call) -> bool:
        """An entry left after its date: a failed lookup for the limits when the hub was
        asked about this call's number (then the date may have been tested against a match,
        and the letters question told the answer), whatever it answered; else free, as
        before caller ID."""
        if not self.caller_id.asked(call.call_id):
            return False
        self.line.stats["own_lookup_abandoned"] += 1
        self.lookup_limit.failed(self._number_key(call), self.clock.monotonic())
        return True

    def _number_key(self, call: Call) -> str:
        return self._number_keys.get(call.call_id) or self.lookup_limit.number_key(call.caller)

    def _may_look_up(self, call: Call) -> bool:
        """Key 3 (and the lookup itself): False, counted and reported as ``own_refused``,
        when this caller's number or the whole line is past its failed lookups
        (``phone.lookup_limit``). The log names the call only, never the number or its key."""
        why = self.lookup_limit.refused(self._number_key(call), self.clock.monotonic())
        if not why:
            return True
        self.line.stats[f"own_lookup_refused_{why}"] += 1
        self.outcomes.mark(call, "own_refused")
        log.warning("own appointment lookup refused", extra={"call": call.call_id, "limit": why})
        return False

    async def _transfer(self, call: Call) -> str:
        """Key 9: REFER to the desk while it is open; the outcome, counted and logged by call id."""
        phone = self.settings.phone
        if not phone.desk_uri:
            outcome = "unavailable"
        elif not self.desk_hours.open_at(self.clock.now()):
            outcome = "closed"
        else:
            outcome = await refer(self.line, call, phone.desk_uri, phone.transfer_timeout_s)
        self.line.stats[f"transfer_{outcome}"] += 1
        if outcome == "transferred":
            self.outcomes.mark(call, "transferred")
        log.info("transfer to the front desk", extra={"call": call.call_id, "outcome": outcome})
        return outcome

    async def _callback(self, call: Call) -> bool:
        event = sm.StaffEvent(
            key=str(uuid.uuid4()),
            kiosk_id=self.settings.kiosk.id,
            at=self.clock.now().isoformat(timespec="seconds"),
            action="callback_request",
            detail=f"phone call {call.call_id}: call back {call.caller or 'withheld number'}",
        )
        try:
            ok = await asyncio.to_thread(partial(self.sync.submit, event))
        except (TimeoutError, OSError, KioskError) as exc:
            log.error(
                "callback request not queued", extra={"call": call.call_id, "error": type(exc).__name__}
            )
            return False
        if ok:
            self.callbacks_recorded += 1
            self.line.stats["callbacks_requested"] += 1
            self.outcomes.mark(call, "callback_left")
            log.info("callback request queued", extra={"call": call.call_id})
        return bool(ok)

    async def _report(self, call: Call, report: CallReport) -> None:
        """A call's outcomes to the hub through the outbox (kept until the hub acknowledges)."""
        call.script.own.hung_up()  # before the number's key and the caller-ID answer go
        self._number_keys.pop(call.call_id, None)
        self.caller_id.forget(call.call_id)
        event = sm.StaffEvent(
            key=str(uuid.uuid4()),
            kiosk_id=self.settings.kiosk.id,
            at=self.clock.now().isoformat(timespec="seconds"),
            action="call_report",  # sync.call_report.ACTION
            detail=report.detail(),
        )
        try:
            ok = await asyncio.to_thread(partial(self.sync.submit, event))
        except (TimeoutError, OSError, KioskError) as exc:
            log.error("call report not queued", extra={"call": call.call_id, "error": type(exc).__name__})
            return
        self.line.stats["call_reports_queued" if ok else "call_reports_not_queued"] += 1


class LookupRefused(KioskError):
    """An own-appointment lookup refused by the line's limit (the caller hears the offer)."""


def prompt_renderer(speech: SpeechSettings) -> PromptRenderer:
    """The line's voice from ``[speech]``: the kiosk's Piper voice per language where one
    checks out (``tts = "piper"``), espeak-ng elsewhere (``speech.voices.choose_voices``
    logs why), at the configured rate."""
    choices = choose_voices(
        speech.tts,
        {"en": speech.piper_voice_en, "es": speech.piper_voice_es},
        {"en": speech.voice_en, "es": speech.voice_es},
    )
    piper_voices = {lang: c.voice for lang, c in choices.items() if c.engine == "piper"}
    piper = PiperSynthesizer(timeout_s=max(speech.tts_timeout_s, 10.0)) if piper_voices else None
    espeak = {"en": speech.voice_en, "es": speech.voice_es}
    return PromptRenderer(espeak, speech.rate_wpm, piper=piper, piper_voices=piper_voices)


def line_recognizer(speech: SpeechSettings) -> LineRecognizer:
    """The line's recognizer from ``[speech]``: the kiosk's engine (Whisper tiny.en where
    installed, beside the pocketsphinx grammar pass), its endpointing left to ``phone.ear``
    and no noise suppressor (a phone line is band-limited and quiet already)."""
    return LineRecognizer(lambda: Listener(recognizer_from_settings(speech), config=ListenConfig()))


__all__ = ["PhoneService", "line_config", "line_recognizer", "prompt_renderer", "register_target"]
