"""Spanish as it is written: "a el" and "de el" contract to "al" and "del" (a sentence
built from parts, "Puede ver a {quién}" with "el doctor Patel", must not say "a el
doctor"). A capitalised "El" (a name: "El Paso") keeps its article, as Spanish does.
"""

from __future__ import annotations

import re

_CONTRACTIONS = re.compile(r"\b([Aa]|[Dd]e) el\b")


def contract(text: str) -> str:
    """``text`` with "a el" → "al" and "de el" → "del"."""
    return _CONTRACTIONS.sub(
        lambda m: (
            ("al" if m[1] in "aA" else "del") if m[1][0].islower() else ("Al" if m[1] == "A" else "Del")
        ),
        text,
    )


__all__ = ["contract"]
