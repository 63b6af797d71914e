"""Phone numbers: mainland mobiles, landlines with area code, and labelled numbers."""

from __future__ import annotations

import re

_SEP = r"[\s\-－—.·]?"
_MOBILE = re.compile(
    rf"(?<!\d)(1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}|"
    rf"1[3-9]\d{_SEP}\d{{3}}{_SEP}\d{{5}}|"
    rf"1[3-9]\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{4}})(?!\d)"
)
# 0574-86123456, 0574 - 8765 4321: spaces may stand around the dash and inside the number.
_LANDLINE = re.compile(r"(?<![\d.])(0\d{2,3})\s*[\-－—.·]?\s*(\d{7,8}|"
                       r"\d{3,4}[\s\-]\d{4})(?![\d.])")
_LABELLED = re.compile(
    r"(?:电话|手机|联系|tel|TEL|Tel|微信|热线|咨询)[^\d\n]{0,8}?((?:\d[\s\-()]?){7,12}\d)(?!\d)"
)
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
        if (m and re.search(r"[\-.\s()]", m.group(0))
                or (m and len(re.sub(r"\D", "", m.group(0))) == 10)):
            best = (re.sub(r"\D", "", m.group(0)), m.span())
    return best


def all_phone_spans(text: str) -> list[tuple[int, int]]:
    """Spans of every phone-like number, for masking and for keeping them out of figures."""
    spans = [m.span() for rx in (_MOBILE, _LANDLINE) for m in rx.finditer(text)]
    spans += [m.span(1) for m in _LABELLED.finditer(text)]
    return sorted(spans)


# Digits as people type them in a chat, mapped one character to one so spans stay put:
# full-width digits, the dashes, slashes, commas and invisible characters people put between
# digit groups (read as a space), and numerals written in Chinese (一三九…, 幺 and 两 too).
_WIDE = str.maketrans("０１２３４５６７８９", "0123456789")
_BETWEEN = str.maketrans({c: " " for c in
                          "\u200b\u200c\u200d\u2060\ufeff\u00a0\u3000－—–‐‑‒/_，,、·."})
_CN_DIGIT = "零〇○一幺二两三四五六七八九"
_CN_VALUE = str.maketrans(_CN_DIGIT, "00011223456789")
# Seven or more numerals in a row, some of them Chinese (a separator or two may stand
# between), spell a number; quantities use 十/百/千 and are never that long.
_NUM_RUN = re.compile(rf"[0-9{_CN_DIGIT}](?:[ \-]{{0,2}}[0-9{_CN_DIGIT}]){{6,}}")
_DIGIT_RUN = re.compile(r"(?<!\d)\d{7,}(?!\d)")
_ANY_NUMERAL = re.compile(rf"[0-9０-９{_CN_DIGIT}]")
# Digit groups joined by spaces or dashes, however someone grouped them (075-5619-34514,
# 138  1234  5678, 1 3 8 …): a number when its digits have a phone number's shape.
_GROUPED = re.compile(r"(?<!\d)\d{1,5}(?:[ \-]{1,3}\d{1,5})+(?!\d)")
_PHONE_SHAPE = re.compile(r"1[3-9]\d{9}|0\d{9,11}")
_MOBILE_SHAPE = re.compile(r"1[3-9]\d{9}")
_DASHES = frozenset("-－—")


def as_digits(text: str) -> str:
    """The text with every way of writing a phone number's digits as ASCII digits, and what
    people put between digit groups as spaces.

    The result has the same length as the text, so a span found in it is a span of the text.
    """
    return _NUM_RUN.sub(lambda m: m.group(0).translate(_CN_VALUE), _plain(text))


def _plain(text: str) -> str:
    return text.translate(_WIDE).translate(_BETWEEN)


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def _grouped(m: re.Match[str]) -> list[tuple[int, int]]:
    """The stretches of a run of digit groups that spell a number: the groups' digits have a
    phone number's shape, or they are seven or more digits spaced out one by one. A run may
    carry more than the number (1 3 8 … 7 8，200元: the pay joins the run once the comma
    reads as a space), so each stretch of consecutive groups is tried, longest first; a part
    of a run counts only as a mobile number or spaced-out digits (a landline's shape is loose
    enough to be read into a pair of dates)."""
    groups = [(g.start() + m.start(), g.end() + m.start())
              for g in re.finditer(r"\d+", m.group(0))]
    text = m.string
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(groups):
        for j in range(len(groups), i, -1):
            part = groups[i:j]
            digits = "".join(text[a:b] for a, b in part)
            spaced_out = len(digits) >= 7 and all(b - a == 1 for a, b in part)
            # Groups joined by dashes are written as a number (057-4151-92979), not dates.
            gaps = [text[b:c].strip() for (_, b), (c, _) in zip(part, part[1:], strict=False)]
            dashed = bool(gaps) and all(g in _DASHES for g in gaps)
            whole = len(part) == len(groups) or dashed
            if spaced_out or (_PHONE_SHAPE if whole else _MOBILE_SHAPE).fullmatch(digits):
                found.append((part[0][0], part[-1][1]))
                i = j
                break
        else:
            i += 1
    return found


def _finds(flat: str) -> list[tuple[int, int]]:
    found = [m.span() for rx in (_MOBILE, _LANDLINE, _DIGIT_RUN) for m in rx.finditer(flat)]
    found += [m.span(1) for m in _LABELLED.finditer(flat) if len(_digits(m.group(1))) >= 7]
    found += [span for m in _GROUPED.finditer(flat) for span in _grouped(m)]
    return found


def phone_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, digits) of every phone-like number however it is written, in order.

    A number spelt partly or wholly in Chinese numerals counts only when its digits have a
    phone number's shape, so 张三 before a number, or 一二三四五六七年级, is no part of one.
    Overlapping finds are joined into one span (whose digits then name no public number
    unless they are all of one).
    """
    plain = _plain(text)
    flat = as_digits(text)
    found = _finds(plain)
    if flat != plain:  # numerals in Chinese: the phone-shaped stretches of each run
        for m in _NUM_RUN.finditer(flat):
            a, b = m.span()
            if flat[a:b] == plain[a:b]:
                continue  # no Chinese numeral in it: found above
            at = [i for i in range(a, b) if flat[i].isdigit()]
            digits = "".join(flat[i] for i in at)
            found += [(at[d.start()], at[d.end() - 1] + 1)
                      for d in _PHONE_SHAPE.finditer(digits)]
    spans: list[tuple[int, int, str]] = []
    for a, b in sorted(found):
        if spans and a < spans[-1][1]:  # overlaps the one before: keep the longer reach
            if b > spans[-1][1]:
                a0 = spans[-1][0]
                spans[-1] = (a0, b, _digits(flat[a0:b]))
            continue
        spans.append((a, b, _digits(flat[a:b])))
    return spans


def is_public(digits: str, public: frozenset[str]) -> bool:
    """Whether a number is one of the published ones (whole, or without its area code)."""
    return any(digits == p or (len(digits) >= 7 and p.endswith(digits)) for p in public)


def mask_phones(text: str, *, keep: frozenset[str] = frozenset()) -> str:
    """Mask every phone number: 13812345678, 138-1234-5678, １３８…, 一三八… → 138****5678.

    Numbers whose digits are in `keep` (published hotlines) stay as written.
    """
    if not _ANY_NUMERAL.search(text):  # most display names, many sentences: nothing to read
        return text
    out, last = [], 0
    for a, b, digits in phone_spans(text):
        if len(digits) < 7 or is_public(digits, keep):
            continue
        out += [text[last:a], digits[:3] + "****" + digits[-4:]]
        last = b
    return "".join(out) + text[last:] if out else text
