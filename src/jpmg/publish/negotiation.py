"""The ``Accept`` header: parsed leniently, matched by RFC 9110's rules (the most specific range sets a type's weight).

A missing or empty header accepts anything. Parts that do not parse (no ``/``, a weight that is not a number between
0 and 1) are ignored rather than failing the request; if nothing parseable is left, the header counts as ``*/*``.
The header is read only up to :data:`MAX_ACCEPT_LENGTH` characters and :data:`MAX_RANGES` ranges.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_ACCEPT_LENGTH = 4096
MAX_RANGES = 64
_TOKEN = re.compile(r"[A-Za-z0-9!#$&^_.+-]+|\*")
_WEIGHT = re.compile(r"(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)")


@dataclass(frozen=True)
class MediaRange:
    """One part of an Accept header: ``type/subtype`` (either may be ``*``) and its weight."""

    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: 3 exactly, 2 by ``type/*``, 1 by ``*/*``, 0 not."""
        main, _, sub = media_type.lower().partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == main and self.subtype == "*":
            return 2
        if self.type == main and self.subtype == sub:
            return 3
        return 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header (``*/*`` when it is missing, empty or has no valid part)."""
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for part in header[:MAX_ACCEPT_LENGTH].split(",")[:MAX_RANGES]:
        pieces = [p.strip() for p in part.split(";")]
        media, _, sub = pieces[0].lower().partition("/")
        if not _TOKEN.fullmatch(media or "") or not _TOKEN.fullmatch(sub or ""):
            continue
        if media == "*" and sub != "*":
            continue
        q = 1.0
        valid = True
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                if not _WEIGHT.fullmatch(value):
                    valid = False
                    break
                q = float(value)
        if valid:
            ranges.append(MediaRange(media, sub, q))
    return ranges or [MediaRange("*", "*", 1.0)]


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The weight the client gives ``media_type``: that of the most specific matching range (0 when none)."""
    best, weight = 0, 0.0
    for media_range in ranges:
        specificity = media_range.matches(media_type)
        if specificity > best or (specificity == best and specificity and media_range.q > weight):
            best, weight = specificity, media_range.q
    return weight if best else 0.0


def negotiate(header: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers (ties go to the earlier offer), or None when it accepts none of them."""
    ranges = parse_accept(header)
    chosen, chosen_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer)
        if q > chosen_q:
            chosen, chosen_q = offer, q
    return chosen
