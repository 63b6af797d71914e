"""Phone numbers: mainland mobiles, landlines with area code, and labelled numbers."""

from __future__ import annotations

import re

_SEP = r"[\s\-－—.·]?"
_MOBILE = re.compile(rf"(?<!\d)(1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}|1[3-9]\d{_SEP}\d{{3}}{_SEP}\d{{5}}|1[3-9]\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{4}})(?!\d)")
# 0574-86123456, 0574 - 8765 4321: spaces may stand around the dash and inside the number.
_LANDLINE = re.compile(r"(?<![\d.])(0\d{2,3})\s*[\-－—.·]?\s*(\d{7,8}|\d{3,4}[\s\-]\d{4})(?![\d.])")
_LABELLED = re.compile(r"(?:电话|手机|联系|tel|TEL|Tel|微信|热线|咨询)[^\d\n]{0,8}?((?:\d[\s\-()]?){7,12}\d)(?!\d)")
_NORTH_AMERICA = re.compile(r"(?<!\d)\(?([2-9]\d{2})\)?[\s\-.]?(\d{3})[\s\-.]?(\d{4})(?!\d)")


def find_phone(text: str) -> tuple[str, tuple[int, int]] | None:
    """The first phone number in the text as digits, and its span."""
    best: tuple[str, tuple[int, int]] | None = None
    for rx in (_MOBILE, _LANDLINE, _LABELLED):
        m = rx.search(text)
        if m:
            digits = re.sub(r"\D", "", m.group(0) if rx is not _LABELLED else m.group(1))
            span = m.span() if rx is not _LABELLED else m.span(1)
            if best is None or span[0] < best[1][0]:
                best = (digits, span)
    if best is None:
        m = _NORTH_AMERICA.search(text)
        if m and re.search(r"[\-.\s()]", m.group(0)) or (m and len(re.sub(r"\D", "", m.group(0))) == 10):
            best = (re.sub(r"\D", "", m.group(0)), m.span())
    return best


def all_phone_spans(text: str) -> list[tuple[int, int]]:
    """Spans of every phone-like number, for masking and for keeping them out of figures."""
    spans = [m.span() for rx in (_MOBILE, _LANDLINE) for m in rx.finditer(text)]
    spans += [m.span(1) for m in _LABELLED.finditer(text)]
    return sorted(spans)


def mask_phones(text: str) -> str:
    """Mask every phone number: 13812345678 → 138****5678."""

    def _mask(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group(0))
        return digits[:3] + "****" + digits[-4:] if len(digits) >= 7 else m.group(0)

    for rx in (_MOBILE, _LANDLINE):
        text = rx.sub(_mask, text)
    return re.sub(r"(?<!\d)\d{7,}(?!\d)", _mask, text)
