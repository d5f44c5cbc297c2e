"""Accessibility figures for ``python -m devtools bench`` (``devtools.a11y_audit``):
the minima over every scene, both reference panels, both languages and both text sizes.

``a11y_min_text_contrast`` (>= 7), ``a11y_min_component_contrast`` (>= 3),
``a11y_min_target_mm`` (>= 15), ``a11y_min_gap_mm`` (>= 2), ``a11y_body_xheight_mm``
(>= 3), and beside them the small text's x-height, the capitals at the largest text size,
how many renders were measured and how many problems were found (each with where).
"""

from __future__ import annotations

import sys
from typing import Any

_QUICK_SCENES = (
    "attract",
    "attract_dimmed",
    "code",
    "letters",
    "dob",
    "countdown",
    "outcome_out",
    "admin_pin",
)


def run_bench(quick: bool = False) -> dict[str, Any]:
    from devtools.a11y_audit import audit, summary

    result = summary(audit(_QUICK_SCENES if quick else None))
    minima = result["minima"]
    return {
        "a11y_min_text_contrast": minima["text_contrast"],
        "a11y_min_component_contrast": minima["component_contrast"],
        "a11y_min_target_mm": minima["target_mm"],
        "a11y_min_gap_mm": minima["gap_mm"],
        "a11y_body_xheight_mm": minima["body_xheight_mm"],
        "a11y_small_xheight_mm": minima["small_xheight_mm"],
        "a11y_large_cap_mm": minima["large_cap_mm"],
        "a11y_renders": result["renders"],
        "a11y_problems": len(result["problems"]),
        "a11y_where": result["where"],
        "a11y_problem_examples": result["problems"][:10],
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run_bench("--quick" in sys.argv), indent=2))
