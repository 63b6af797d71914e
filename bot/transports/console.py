"""The console transport: `NAME: TEXT` lines in, `[GROUP] 小桥: TEXT` lines out (cli.md).

One message a line, the colon half- or full-width:

    NAME: TEXT          a group message from NAME in the default group
    NAME@GROUP: TEXT    a group message from NAME in GROUP
    NAME@: TEXT         a direct (private) message from NAME to the bot

NAME doubles as the sender id, unless `senders` (the config's console.senders) maps it
to one: with `郑主席: wxid_cadre_zheng` there, `郑主席: #统计` comes from the cadre listed by
that id under `cadres`, which takes ids only. In TEXT a literal backslash-n (two characters) is a line
break, and a line ending in a backslash goes on to the next line:

    张三: 招包装工3名\
    日结200

is one message of two lines. A photo or a file is sent by its path (relative to the working
folder), with what is said with it after the path, if anything:

    李四: [图片] photos/manhole.jpg
    李四: [文件] 合同.pdf 这是合同

The file is copied under the data folder (`media`, a bot.transports.media.MediaStore). Each message the bot sends is printed as `[GROUP] 小桥: TEXT`
(`[私信 NAME] 小桥: TEXT` to one person); its later lines follow as they are.

When standard input is a terminal a prompt is shown: on standard output when that is the
terminal too, else on standard error when that is one, never into a file or pipe. With echo
on, every line read is repeated on standard output as `> LINE` before the bot answers it, so
a recorded run reads like the chat. Echo is on by default only when a person types into a
recorded output (standard input a terminal, standard output not one: `daqiao run | tee
chat.txt`); `daqiao run --echo < script.txt > chat.txt` asks for it.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import IO, Any

from bot.context import Clock
from bot.transports.base import Handle, with_mentions
from bot.types import InboundMessage, Reply

log = logging.getLogger(__name__)
# NAME: TEXT, NAME@GROUP: TEXT or NAME@: TEXT (an empty GROUP: a direct message to the bot),
# the colon half- or full-width. NAME and GROUP stay on the first line; TEXT may go on.
_LINE = re.compile(
    r"^[^\S\n]*(?P<name>[^@:：\n]+?)(?:(?P<at>@)(?P<group>[^:：\n]*?))?[^\S\n]*[:：][^\S\n]*\n?"
    r"(?P<text>.*)$", re.S)
# [图片] PATH [caption] / [文件] PATH [caption]: a photo or a file from a path.
_MEDIA = re.compile(r"^\s*\[(?P<kind>图片|照片|文件|视频)\]\s*(?P<path>\S+)(?:\s+(?P<caption>.*))?$", re.S)
_MEDIA_TYPES = {"图片": "image", "照片": "image", "文件": "file", "视频": "video"}
PROMPT = "> "  # waiting for a message
MORE = "... "  # the message goes on (its last line ended in a backslash)
ECHO = "> "  # before each input line repeated on standard output
CONTINUE = "\\"
# Shown once on the terminal when a person types (English: the console is a developer tool;
# the bot's own words live in bot/replies.py).
HINT = ("Type NAME: TEXT (in {group}), NAME@GROUP: TEXT, or NAME@: TEXT (privately to {bot}). "
        "End a line with \\ to go on to the next. Ctrl-D ends.")
UNREADABLE = "cannot read {line!r}: type NAME: TEXT, NAME@GROUP: TEXT or NAME@: TEXT"


def _isatty(stream: IO[str] | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


class ConsoleTransport:
    name = "console"
    can_direct = True
    media: Any = None  # a MediaStore: files named with [图片] PATH are kept (issue 28)

    def __init__(self, *, bot_name: str, default_group: str, clock: Clock,
                 stdin: IO[str] | None = None, stdout: IO[str] | None = None,
                 stderr: IO[str] | None = None, echo: bool | None = None,
                 senders: Mapping[str, str] | None = None) -> None:
        """`echo` None: echo when standard input is a terminal and standard output is not.
        `senders`: a typed name -> the sender id it stands for (else the name itself)."""
        self.bot_name, self.default_group, self.clock = bot_name, default_group, clock
        self.senders = dict(senders or {})
        self._names = {sid: name for name, sid in self.senders.items()}  # for [私信 NAME]
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        stderr = stderr or sys.stderr
        typed = _isatty(self.stdin)
        self.echo = echo if echo is not None else typed and not _isatty(self.stdout)
        # The prompt goes to the terminal the person watches, never into a recorded output.
        self.prompt_to: IO[str] | None = None
        if typed:
            self.prompt_to = (self.stdout if _isatty(self.stdout)
                              else stderr if _isatty(stderr) else None)
        # Line editing and history when the process's own terminal is both ends.
        self._readline = (self.prompt_to is self.stdout is sys.stdout
                          and self.stdin is sys.stdin)
        self._lock = threading.Lock()  # scheduled messages are sent from another thread
        self._waiting: str | None = None  # the prompt on the screen while a line is awaited
        self._stop = False

    def parse_line(self, line: str) -> InboundMessage | None:
        """One message (its continuation lines already joined) as an InboundMessage."""
        m = _LINE.match(line.rstrip("\r\n"))
        if not m:
            return None
        name = m.group("name").strip()
        text = m.group("text").replace("\\n", "\n")
        group = (m.group("group") or "").strip() or (None if m.group("at") else self.default_group)
        kind, raw = "text", None
        media = _MEDIA.match(text)
        if media:
            kind = _MEDIA_TYPES[media.group("kind")]
            raw = {"path": media.group("path"), "caption": (media.group("caption") or "").strip()}
            text = None
        return InboundMessage(
            transport=self.name, message_id=uuid.uuid4().hex, chat_id=group, chat_name=group,
            sender_id=self.senders.get(name, name), sender_name=name, text=text,
            time=self.clock.now(), type=kind, raw=raw,
            is_group=group is not None,
            mentions_bot=group is not None and text is not None and f"@{self.bot_name}" in text)

    def run(self, handle: Handle) -> None:
        if self.prompt_to is not None:
            self._show(HINT.format(group=self.default_group, bot=self.bot_name) + "\n")
        try:
            while not self._stop:
                lines = self._read_message()
                if lines is None:
                    break
                if self.echo:
                    self._write(self.stdout, "".join(f"{ECHO}{x}".rstrip() + "\n" for x in lines))
                logical = "\n".join(x.removesuffix(CONTINUE) if i < len(lines) - 1 else x
                                    for i, x in enumerate(lines))
                msg = self.parse_line(logical.removesuffix(CONTINUE))
                if msg is None:
                    self._unreadable(logical)
                    continue
                if msg.raw and msg.raw.get("path") and self.media is not None:
                    kept = self.media.copy(msg.message_id, msg.raw["path"])
                    msg = replace(msg, raw={**msg.raw, "media": kept})
                handle(msg)
        finally:
            if self.prompt_to is not None:
                self._show("\n")  # the shell's prompt starts on a line of its own

    def _read_message(self) -> list[str] | None:
        """The physical lines of the next message; None at the end of input."""
        first = None
        while first is None or not first.strip():
            first = self._read(PROMPT)
            if first is None:
                return None
        lines = [first]
        while lines[-1].endswith(CONTINUE):
            more = self._read(MORE)
            if more is None:  # the input ended in the middle of a message: take what came
                break
            lines.append(more)
        return lines

    def _read(self, prompt: str) -> str | None:
        """One line without its line ending; None at the end of input."""
        if self._readline:
            self._use_readline()
            self._waiting = prompt
            try:
                return input(prompt)
            except EOFError:
                return None
            finally:
                self._waiting = None
        if self.prompt_to is not None:
            with self._lock:
                self.prompt_to.write(prompt)
                self.prompt_to.flush()
                self._waiting = prompt
        try:
            line = self.stdin.readline()
        finally:
            self._waiting = None
        return line.rstrip("\r\n") if line else None

    def _use_readline(self) -> None:
        try:
            import readline  # noqa: F401, PLC0415 - line editing and history for input()
        except ImportError:  # not on every platform
            pass

    def _unreadable(self, line: str) -> None:
        if self.prompt_to is not None:  # a person typing: tell them on the terminal
            log.debug("console: cannot read %r", line[:80])
            self._show(UNREADABLE.format(line=line[:80]) + "\n")
        else:
            log.warning("console: %s", UNREADABLE.format(line=line[:80]))

    def _show(self, text: str) -> None:
        if self.prompt_to is not None:
            self._write(self.prompt_to, text)

    def _write(self, stream: IO[str], text: str) -> None:
        with self._lock:
            stream.write(text)
            stream.flush()

    def send(self, reply: Reply) -> None:
        to = self._names.get(reply.to or "", reply.to)
        where = reply.group_name if reply.group is not None else f"私信 {to}"
        line = f"[{where}] {self.bot_name}: {with_mentions(reply)}\n"
        with self._lock:
            # A scheduled message while the prompt waits on this terminal: print it in the
            # prompt's place, then show the prompt (and what was typed so far) again.
            redraw = self._waiting is not None and self.prompt_to is self.stdout
            if redraw:
                self.stdout.write("\r\033[K")
            self.stdout.write(line)
            if redraw and self._waiting is not None:
                self.stdout.write(self._waiting + self._typed_so_far())
            self.stdout.flush()

    def _typed_so_far(self) -> str:
        if not self._readline or "readline" not in sys.modules:
            return ""
        return str(sys.modules["readline"].get_line_buffer())

    def stop(self) -> None:
        self._stop = True
