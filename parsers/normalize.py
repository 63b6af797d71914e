"""Text normalisation: width, script, invisible characters, quotes and mentions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from parsers.models import Quote

_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# WeChat's quote block: 「name：quoted」 then a line of dashes, then the reply.
_QUOTE = re.compile(
    r"^\s*[「\"“](?P<name>[^:：」\n]{0,40})[:：](?P<text>.*?)[」\"”]"
    r"\s*\n\s*(?:-\s*){3,}\n?(?P<rest>.*)$",
    re.S,
)
# "@name" followed by the four-per-em space WeChat inserts, a space, or the end.
_MENTION = re.compile(r"@([^\s@\u2005]{1,30})(?:\u2005|\s|$)")
# Emoji and pictographs (WeChat's own [强] style stickers are kept as text).
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f900-\U0001f9ff\ufe0f\u20e3\u2b50\u2b55]"
)
_SPACES = re.compile(r"[ \t\u3000\u00a0\u2005]+")

_to_simplified = None


def _simplify(text: str) -> str:
    global _to_simplified
    if _to_simplified is None:
        from zhconv import convert  # noqa: PLC0415 - imported on first use, not at import

        _to_simplified = convert
    return _to_simplified(text, "zh-cn")


# A cheap pre-check: most group messages are already simplified, and converting is slow.
# Nearly every traditional character lies outside GB2312 (simplified Chinese's base set);
# 後 and 於 are two of the few inside it.
_TRAD_HINT = re.compile("[後於]")
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def _maybe_traditional(text: str) -> bool:
    if _TRAD_HINT.search(text):
        return True
    try:
        "".join(_HAN.findall(text)).encode("gb2312")
    except UnicodeEncodeError:
        return True  # a traditional character, or a rare simplified one (converting is harmless)
    return False


@dataclass(frozen=True, slots=True)
class Normalized:
    text: str  # the body to parse: half-width, simplified, one line per original line
    quote: Quote | None
    mentions: tuple[str, ...]


def clean(text: str) -> str:
    """Width and script normalisation only (no structural changes)."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _maybe_traditional(text):
        text = _simplify(text)
    return text


def normalize(text: str) -> Normalized:
    """Normalise a raw message and split off its quote block and @mentions."""
    # Quote markers are matched before NFKC so the full-width corner brackets survive.
    raw = _INVISIBLE.sub("", text or "").replace("\r\n", "\n")
    quote = None
    m = _QUOTE.match(raw)
    if m:
        quote = Quote(name=clean(m["name"]).strip(), text=clean(m["text"]).strip())
        raw = m["rest"]
    body = clean(raw)
    mentions = tuple(_MENTION.findall(body))
    if mentions:
        body = _MENTION.sub(" ", body)
    body = _EMOJI.sub("", body)
    body = "\n".join(_SPACES.sub(" ", line).strip() for line in body.split("\n"))
    body = re.sub(r"\n{2,}", "\n", body).strip()
    return Normalized(text=body, quote=quote, mentions=mentions)
