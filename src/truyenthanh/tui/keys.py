"""Key names as the operator reads them."""

from __future__ import annotations

_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "delete": "Delete",
    "space": "Phím cách",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "tab": "Tab",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "pageup": "PgUp",
    "pagedown": "PgDn",
}


def describe_key(key: str) -> str:
    """``ctrl+s`` → ``Ctrl+S``, ``f9`` → ``F9``, ``escape`` → ``Esc``."""
    parts = key.split("+")
    shown = []
    for part in parts:
        if part in _NAMES:
            shown.append(_NAMES[part])
        elif part in ("ctrl", "shift", "alt"):
            shown.append(part.capitalize())
        else:
            shown.append(part.upper())
    return "+".join(shown)
