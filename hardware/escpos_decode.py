"""Decode an ESC/POS byte stream into what a printer would do: lines, QR codes, cuts, status queries.

Pure (bytes in, records out). The printer simulator and the tests use it to check what
the kiosk sends; ``errors`` lists anything a real printer would not understand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_CODEPAGES = {0: "cp437", 2: "cp850", 16: "cp1252", 19: "cp858"}
ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A
# commands with a fixed number of argument bytes after the two command bytes
_FIXED = {
    (ESC, ord("!")): 1,
    (ESC, ord("E")): 1,
    (ESC, ord("-")): 1,
    (ESC, ord("a")): 1,
    (ESC, ord("t")): 1,
    (ESC, ord("d")): 1,
    (ESC, ord("M")): 1,
    (ESC, ord("G")): 1,
    (ESC, ord("3")): 1,
    (ESC, ord("2")): 0,
    (ESC, ord("@")): 0,
    (GS, ord("!")): 1,
    (GS, ord("B")): 1,
    (ESC, ord("{")): 1,
    (GS, ord("b")): 1,
    (DLE, 0x04): 1,
}


@dataclass
class Line:
    text: str
    bold: bool = False
    align: int = 0  # 0 left, 1 centre, 2 right
    big: bool = False


@dataclass
class Job:
    """What was printed between two cuts."""

    lines: list[Line] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)
    cut: bool = False

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class EscPosDecoder:
    """Feed bytes; read ``jobs`` (finished at each cut), ``status_queries`` and ``errors``."""

    jobs: list[Job] = field(default_factory=list)
    status_queries: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _buf: bytearray = field(default_factory=bytearray)
    _job: Job = field(default_factory=Job)
    _text: bytearray = field(default_factory=bytearray)
    _codepage: str = "cp437"
    _bold: bool = False
    _align: int = 0
    _big: bool = False
    _qr_data: str = ""

    def feed(self, data: bytes) -> list[int]:
        """Consume bytes; returns the status queries (``n`` of ``DLE EOT n``) found in them."""
        self._buf += data
        queries: list[int] = []
        while self._buf:
            used = self._step(queries)
            if used == 0:
                break  # an incomplete command: wait for more bytes
            del self._buf[:used]
        return queries

    def _step(self, queries: list[int]) -> int:
        """Consume one byte or command; 0 when the command is still incomplete."""
        b = self._buf
        first = b[0]
        if first == LF:
            self._flush_line()
            return 1
        if first not in (ESC, GS, DLE):
            self._text.append(first)
            return 1
        if len(b) < 2:
            return 0
        key = (first, b[1])
        if key == (GS, ord("(")):
            return self._gs_paren(b)
        if key == (GS, ord("V")):
            return self._cut(b)
        return self._fixed(key, b, queries)

    def _fixed(self, key: tuple[int, int], b: bytearray, queries: list[int]) -> int:
        count = _FIXED.get(key)
        if count is None:
            self.errors.append(f"unknown command {bytes(b[:2]).hex(' ')}")
            return 1
        if len(b) < 2 + count:
            return 0
        self._command(key, b[2] if count else 0, queries)
        return 2 + count

    def _command(self, key: tuple[int, int], arg: int, queries: list[int]) -> None:
        cmd = (key[0], chr(key[1]))
        if cmd == (DLE, "\x04"):
            self.status_queries.append(arg)
            queries.append(arg)
        elif cmd == (ESC, "@"):
            self._bold, self._align, self._big, self._codepage = False, 0, False, "cp437"
        elif cmd == (ESC, "!"):
            self._bold, self._big = bool(arg & 0x08), bool(arg & 0x30)
        elif cmd == (ESC, "E"):
            self._bold = bool(arg & 1)
        elif cmd == (ESC, "a"):
            self._align = arg if arg < 3 else arg - 48
        elif cmd == (GS, "!"):
            self._big = arg != 0
        elif cmd == (ESC, "t"):
            page = _CODEPAGES.get(arg)
            if page is None:
                self.errors.append(f"code page {arg} not decoded")
            self._codepage = page or "latin-1"
        elif cmd == (ESC, "d"):
            self._flush_line(only_if_text=True)

    def _cut(self, b: bytearray) -> int:
        size = 4 if len(b) >= 3 and b[2] in (65, 66) else 3
        if len(b) < size:
            return 0
        self._flush_line(only_if_text=True)
        self._job.cut = True
        self.jobs.append(self._job)
        self._job = Job()
        return size

    def _gs_paren(self, b: bytearray) -> int:
        if len(b) < 5:
            return 0
        size = 5 + b[3] + 256 * b[4]
        if len(b) < size:
            return 0
        body = bytes(b[5:size])
        if b[2] == ord("k") and len(body) >= 2 and body[0] == 49:  # cn=49: QR code
            fn = body[1]
            if fn == 80:  # store data (after m=48)
                self._qr_data = body[3:].decode("ascii", "replace")
            elif fn == 81:  # print stored symbol
                self._flush_line(only_if_text=True)
                self._job.qr_codes.append(self._qr_data)
        return size

    def _flush_line(self, only_if_text: bool = False) -> None:
        if only_if_text and not self._text:
            return
        try:
            text = self._text.decode(self._codepage)
        except UnicodeDecodeError:
            self.errors.append(f"text not valid in {self._codepage}: {bytes(self._text)!r}")
            text = self._text.decode("latin-1")
        self._job.lines.append(Line(text, self._bold, self._align, self._big))
        self._text.clear()
