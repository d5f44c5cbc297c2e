"""Hub events to the browsers: a listener on ``HubService`` marks which page sections
changed, and each connected event stream gets the section names (server-sent events).

The listener runs on the hub thread; it only marks and, once per burst, schedules a flush
on the web loop (``call_soon_threadsafe``), so a burst of 500 check-ins is one push per
section, and the hub thread never waits on a browser.

Each stream belongs to a session: ``end(token)`` closes that session's streams (sign-out,
expiry, a password change), and a session holds at most ``max_per_session`` of them.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable

from sync.wire import Message

# Which sections a hub event changes (the message KINDs of HubService's listener).
SECTIONS_OF: dict[str, frozenset[str]] = {
    "status": frozenset({"board", "kiosks", "charts"}),
    "receipt": frozenset({"board"}),
    "affected": frozenset({"board"}),
    "schedule": frozenset({"board", "arrivals"}),
    "appointment": frozenset({"arrivals"}),
    "checkin": frozenset({"arrivals", "charts"}),
    "availability": frozenset({"kiosks", "board"}),
    "display": frozenset({"kiosks", "board"}),
    "health": frozenset({"kiosks"}),
    "escalation": frozenset({"escalations", "calls"}),
    "staff_event": frozenset({"calls"}),  # the phone line's call reports and callback requests
    "notice": frozenset({"escalations"}),
    "notification": frozenset({"notifications"}),  # the notifier saw its tables change
}
_QUEUE = 64
_KEEPALIVE_S = 15.0
_CLOSE = ""


class Broadcaster:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._streams: set[asyncio.Queue[str]] = set()
        self._of_session: dict[str, set[asyncio.Queue[str]]] = {}
        self._dirty: set[str] = set()
        self._scheduled = False
        self._lock = threading.Lock()  # guards _dirty/_scheduled between the hub and web threads

    def bind(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self._loop = loop

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        return self._loop

    @property
    def streams(self) -> int:
        return len(self._streams)

    def on_hub_event(self, kind: str, _msg: Message) -> None:
        """HubService listener (hub thread): never blocks, never raises on a closed loop."""
        self.changed(kind)

    def changed(self, kind: str) -> None:
        """Mark the sections an event of ``kind`` changes (any thread, e.g. the notifier's)."""
        sections = SECTIONS_OF.get(kind)
        loop = self._loop
        if not sections or loop is None:
            return
        with self._lock:
            self._dirty |= sections
            if self._scheduled:
                return
            self._scheduled = True
        try:
            loop.call_soon_threadsafe(self._flush)
        except RuntimeError:  # the web loop has closed (dashboard stopping): nobody to tell
            self._scheduled = False

    def _flush(self) -> None:
        with self._lock:
            dirty, self._dirty, self._scheduled = self._dirty, set(), False
        for stream in list(self._streams):
            for section in sorted(dirty):
                if stream.full():
                    break  # a stalled browser: it refetches everything on reconnect
                stream.put_nowait(section)

    def close_all(self) -> None:
        """End every stream (on the web loop): shutdown does not wait for browsers."""
        for stream in list(self._streams):
            _close(stream)

    def end(self, token: str) -> None:
        """End the streams of session ``token`` (on the web loop)."""
        for stream in self._of_session.pop(token, set()):
            _close(stream)

    def of_session(self, token: str) -> int:
        return len(self._of_session.get(token, ()))

    async def stream(
        self, token: str, max_per_session: int, alive: Callable[[], bool]
    ) -> AsyncIterator[bytes]:
        """Session ``token``'s stream. It joins the session's streams on its first step (a
        stream the server never started holds no place): nothing when the session has ended
        meanwhile or holds its cap already (then the browser reconnects and is refused)."""
        mine = self._of_session.setdefault(token, set())
        if not alive() or len(mine) >= max_per_session:
            if not mine:
                del self._of_session[token]
            return
        queue: asyncio.Queue[str] = asyncio.Queue(_QUEUE)
        mine.add(queue)
        self._streams.add(queue)
        try:
            yield b"retry: 1000\nevent: hello\ndata: connected\n\n"
            while True:
                try:
                    section = await asyncio.wait_for(queue.get(), _KEEPALIVE_S)
                except TimeoutError:
                    yield b": keepalive\n\n"
                    continue
                if section == _CLOSE:
                    return
                yield f"event: {section}\ndata: {section}\n\n".encode()
        finally:
            self._streams.discard(queue)
            current = self._of_session.get(token)  # gone when the session's streams were ended
            if current is not None:
                current.discard(queue)
                if not current:
                    del self._of_session[token]


def _close(stream: asyncio.Queue[str]) -> None:
    """Make ``_CLOSE`` the next thing the stream reads, even when it is full."""
    while not stream.empty():
        stream.get_nowait()
    stream.put_nowait(_CLOSE)
