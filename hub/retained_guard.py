"""The hub watches the retained topics it owns and takes them back when someone else's
message replaced its own (docs/security.md): a client with write access it should not
have, a misconfigured bridge, a broker restored from an old persistence file.

The hub subscribes to its own retained topics (``TopicTree.hub_owned_retained``), so it
also hears its own publishes come back. What it last published on each topic is what the
broker must hold; a message there is judged against it:

* the same bytes: our own echo, all is well;
* bytes we published earlier on that topic: an echo still in flight behind a newer
  publish - normally the newer echo follows at once; if it has not after ``grace_s``,
  the topic holds an old state of ours (a replay) and is restored;
* anything else (another payload, an empty one that clears it): restored at once.

A retained delivery (what the broker held when the hub subscribed, on every connect) is
not judged here: the hub republished everything on that connect, after it. Pure: bytes and
``now`` (monotonic seconds) in, the topics to restore out.
"""

from __future__ import annotations

from collections import Counter, deque

_RECENT = 8  # earlier payloads per topic still recognised as our own echo


class RetainedGuard:
    def __init__(self, grace_s: float = 0.3) -> None:
        self.grace_s = grace_s
        self._own: dict[str, bytes] = {}
        self._recent: dict[str, deque[bytes]] = {}
        self._suspect: dict[str, float] = {}  # topic -> when to restore it unless our echo came
        self.restored: Counter[str] = Counter()  # by reason

    def published(self, topic: str, payload: bytes) -> None:
        """We published ``payload`` retained on ``topic``."""
        previous = self._own.get(topic)
        if previous is not None and previous != payload:
            self._recent.setdefault(topic, deque(maxlen=_RECENT)).append(previous)
        self._own[topic] = payload

    def own(self, topic: str) -> bytes | None:
        """What we last published on ``topic`` (None: nothing in this process)."""
        return self._own.get(topic)

    def seen(self, topic: str, payload: bytes, now: float) -> bool:
        """A live message on our ``topic``: True when it must be restored now."""
        mine = self._own.get(topic)
        if mine is None:
            return False  # not a topic we have published on: nothing of ours to restore
        if payload == mine:
            self._suspect.pop(topic, None)
            return False
        if payload in self._recent.get(topic, ()):
            self._suspect.setdefault(topic, now + self.grace_s)
            return False
        self._suspect.pop(topic, None)
        self.restored["foreign"] += 1
        return True

    def due(self, now: float) -> list[str]:
        """Topics whose last message is an old one of ours, ``grace_s`` after it came."""
        late = sorted(t for t, when in self._suspect.items() if when <= now)
        for topic in late:
            del self._suspect[topic]
            self.restored["replayed"] += 1
        return late

    def next_due(self) -> float | None:
        return min(self._suspect.values(), default=None)


__all__ = ["RetainedGuard"]
