"""Storing the photos and files people send (issue 28, 随手拍), for every transport.

A transport hands the bytes (WeChat: the message's file box; console and replay: a path
in the input) to a `MediaStore`, which keeps them under the data folder (config
`media.dir`), named by the message id and a hash of the content, never larger than
`media.max_bytes`. What happened is put in the message's raw payload under "media"
(`stored`, `refused`), which the request handler records (storage.media).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# What the first bytes say a file is; the extension it is stored under.
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png", ".png"), (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
          (b"GIF87a", "image/gif", ".gif"), (b"GIF89a", "image/gif", ".gif"),
          (b"%PDF", "application/pdf", ".pdf"))
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
_DIGITS = re.compile(r"\d{4,}")
_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def _letters(data: bytes, n: int) -> str:
    """A hash of `data` in letters only: a file name shown to cadres must not read as a phone
    number to the privacy screen (bot.privacy masks digit runs in group text)."""
    return hashlib.sha256(data).hexdigest()[:n].translate(_LETTERS)


def file_stem(message_id: str) -> str:
    """The message id as a file name: itself where it is plain, else (path characters, or a
    run of digits, as WeChat's numeric ids are) a letters-only hash of it."""
    safe = _SAFE.sub("_", message_id).strip("_")
    if not safe or safe != message_id or len(safe) > 48 or _DIGITS.search(safe):
        return "m" + _letters(message_id.encode("utf-8"), 12)
    return safe


def sniff(data: bytes, name: str = "") -> tuple[str, str]:
    """(content type, extension) of a file, by its first bytes, else by its name."""
    for magic, ctype, ext in _MAGIC:
        if data.startswith(magic):
            return ctype, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", ".webp"
    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    ext = Path(name).suffix.lower()
    return ctype, ext if re.fullmatch(r"\.[a-z0-9]{1,5}", ext) else ".bin"


def refused(why: str, size: int = 0, *, max_bytes: int = 0, name: str = "") -> dict[str, Any]:
    return {"status": why, "bytes": size, "max_bytes": max_bytes, "name": name}


@dataclass(frozen=True)
class MediaStore:
    """Where media go and how large they may be."""

    dir: str = "data/media"
    max_bytes: int = 5_000_000

    @classmethod
    def of(cls, cfg: Any) -> MediaStore:
        return cls(str(cfg.media_dir), int(cfg.media_max_bytes))

    def too_large(self, size: int, message_id: str, name: str = "") -> dict[str, Any]:
        log.warning("media of message %s refused: %d bytes, more than media.max_bytes %d",
                    message_id, size, self.max_bytes)
        return refused("too_large", size, max_bytes=self.max_bytes, name=name)

    def save(self, message_id: str, data: bytes, name: str = "") -> dict[str, Any]:
        """Keep `data` under the folder: DIR/<message id>-<content hash><ext>. The name
        never comes from the sender (no path tricks); the same content of the same message
        lands on the same file, so a replay or a re-delivery writes nothing new."""
        if len(data) > self.max_bytes:
            return self.too_large(len(data), message_id, name)
        ctype, ext = sniff(data, name)
        folder = Path(self.dir)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{file_stem(message_id)}-{_letters(data, 16)}{ext}"
        if not path.exists():
            tmp = path.with_name(path.name + ".part")
            tmp.write_bytes(data)
            os.replace(tmp, path)  # a reader never sees half a file
        log.info("media of message %s stored: %s (%d bytes)", message_id, path, len(data))
        return {"status": "stored", "path": str(path), "bytes": len(data),
                "content_type": ctype, "name": Path(name).name}

    def copy(self, message_id: str, source: str | Path) -> dict[str, Any]:
        """A file named in console or replay input, kept as `save` keeps bytes."""
        src = Path(source)
        try:
            size = src.stat().st_size
            if not src.is_file():
                raise IsADirectoryError(str(src))
        except OSError as e:
            log.warning("media of message %s: cannot read %s (%s)", message_id, src,
                        e.strerror or type(e).__name__)
            return refused("missing", name=src.name)
        if size > self.max_bytes:  # not even read
            return self.too_large(size, message_id, src.name)
        return self.save(message_id, src.read_bytes(), src.name)

    def from_filebox(self, message_id: str, box: str) -> dict[str, Any]:
        """A Wechaty FileBox in its JSON form. Base64 boxes (boxType 1) are kept; a box that
        points elsewhere (a URL, a QR code, a stream) is not fetched."""
        try:
            data = json.loads(box or "{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            log.warning("media of message %s: not a file box", message_id)
            return refused("missing")
        name = str(data.get("name") or "")
        b64 = data.get("base64")
        if not isinstance(b64, str) or not b64:
            log.warning("media of message %s: file box of type %r has no content here",
                        message_id, data.get("boxType"))
            return refused("missing", name=name)
        size = len(b64) * 3 // 4 - b64[-2:].count("=")
        if size > self.max_bytes:  # refused before decoding it
            return self.too_large(size, message_id, name)
        try:
            raw = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            log.warning("media of message %s: the file box is not valid base64", message_id)
            return refused("missing", name=name)
        return self.save(message_id, raw, name)


async def fetch_wechaty(stub: Any, message_id: str, kind: str, store: MediaStore
                        ) -> dict[str, Any]:
    """The file of a Wechaty message (MessageImage for a photo, the HD one, else MessageFile),
    stored. Never raises for what the gateway cannot give: the photo is then `missing`."""
    try:
        if kind == "image":
            try:
                from wechaty_grpc.wechaty.puppet import ImageType  # noqa: PLC0415

                box = (await stub.message_image(id=message_id, type=ImageType.IMAGE_TYPE_HD)).filebox
            except Exception:  # noqa: BLE001 - some gateways serve images as files only
                box = (await stub.message_file(id=message_id)).filebox
        else:
            box = (await stub.message_file(id=message_id)).filebox
    except Exception as e:  # noqa: BLE001 - the message is still handled, without its file
        log.warning("media of message %s: the gateway gave no file (%s)", message_id,
                    getattr(e, "message", None) or e)
        return refused("missing")
    return store.from_filebox(message_id, box)
