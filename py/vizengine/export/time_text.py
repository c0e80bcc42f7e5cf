"""Start and duration as typed in the dialog or given to the CLI, read with the contract's time grammar.

The page checks the same grammar (web/src/time-text.js) before it enables Start, so a value the page
accepts is one this reads, and the same way: "1,5" or "1e400" are refused here too, never guessed at.
"""

from __future__ import annotations

from fractions import Fraction

from ..errors import InvalidSettings
from ..frames.timing import Seconds, exact
from ..project.contract import TIME_HINT, TIME_PATTERN


def parse_time(text: str, what: str = "time") -> Fraction:
    """Exact seconds from "12", "12.5", "1:05" or "1:05.250" (a leading sign is kept for the caller to judge)."""
    match = TIME_PATTERN.fullmatch(text)
    if match is None:
        raise InvalidSettings(f"{what} must be {TIME_HINT}, not {text!r}")
    sign, minutes, seconds, plain = match.groups()
    value = Fraction(plain) if plain is not None else 60 * int(minutes) + Fraction(seconds)
    return -value if sign == "-" else value


def seconds(value: Seconds, what: str) -> Fraction:
    """Text goes through the grammar; numbers (the CLI's, a stored manifest's floats) are read exactly."""
    if isinstance(value, str):
        return parse_time(value, what)
    return exact(value, what)
