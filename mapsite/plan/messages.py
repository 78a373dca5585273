"""Buyer updates out of email: the one machine-readable line a deal page's Done / New date / Question link writes.

    mapsite-update: deal=<slug> item=<reference> status=done
    mapsite-update: deal=<slug> item=<reference> due=YYYY-MM-DD
    mapsite-update: deal=<slug> item=<reference> question

(`refs` says what a reference is.) A message may be plain text, an .eml file or an mbox of many;
the line counts at the start of a line after any reply quoting (`> `, `>> `), in any text part,
also inside a forwarded message. Each message must carry exactly one distinct update line: none,
or two different ones, is refused rather than guessed at.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import mailbox
import re
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from mapsite.plan.files import SLUG
from mapsite.plan.model import date_error, iso_date
from mapsite.plan.refs import REFERENCE

MARKER = "mapsite-update:"
_LINE = re.compile(r"^[ \t>]*mapsite-update:(?P<rest>.*)$", re.I | re.M)
_FIELDS = re.compile(r"deal=(?P<deal>\S+)\s+item=(?P<item>\S+)\s+(?P<change>status=done|due=\S*|question)")
WRAPPED = 2  # lines a mail program may have wrapped an update line onto
_HEADERS = ("from", "to", "subject", "date", "message-id", "mime-version", "received", "return-path")


class MessageError(Exception):
    """Why a message cannot be applied, as `where: what is wrong`."""


@dataclass(frozen=True)
class Update:
    """One change a buyer asked for: `done`, `due` (with `date`) or `question`."""

    deal: str
    item: str
    change: str
    date: dt.date | None
    where: str  # the message, for messages: `inbox.mbox: message 3` or `reply.txt:14`
    sender: str = ""
    subject: str = ""
    text: str = ""  # what the sender wrote, without quoted lines and the update line (for a question)


@dataclass(frozen=True)
class Message:
    where: str
    sender: str
    subject: str
    body: str
    plain: bool = False  # a plain text file: its lines are the file's lines


def read_messages(name: str, data: bytes) -> list[Message]:
    """The messages in one input: an mbox (`From ` first), one email (.eml, with headers), or plain text."""
    if data.startswith(b"From "):
        return _mbox(name, data)
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    keys = {k.lower() for k in parsed.keys()}
    if keys & set(_HEADERS) and "mapsite-update" not in keys:
        return [_message(name, parsed)]
    return [Message(name, "", "", data.decode("utf-8", "replace"), plain=True)]


def _mbox(name: str, data: bytes) -> list[Message]:
    with tempfile.TemporaryDirectory() as folder:  # mailbox reads files only: stdin goes through one
        path = Path(folder) / "in.mbox"
        path.write_bytes(data)
        box = mailbox.mbox(path, factory=lambda f: email.message_from_binary_file(f, policy=email.policy.default),
                           create=False)
        try:
            return [_message(f"{name}: message {n}", m) for n, m in enumerate(box, start=1)]
        finally:
            box.close()


def _message(where: str, message: EmailMessage) -> Message:
    return Message(where, str(message.get("from", "")), str(message.get("subject", "")), _texts(message))


def _texts(message: EmailMessage) -> str:
    """Every text part, forwarded messages' included (walk() goes into message/rfc822), HTML as its text."""
    texts = []
    for part in message.walk():
        if part.get_content_type() not in ("text/plain", "text/html"):
            continue
        try:
            content = part.get_content()
        except (LookupError, ValueError):  # an unknown charset: read what can be read
            content = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
        if part.get_content_subtype() == "html":
            content = html.unescape(re.sub(r"<(br|/p|/div|/li|/tr)\b[^>]*>", "\n", content, flags=re.I))
            content = re.sub(r"<[^>]*>", "", content)
        texts.append(content)
    return "\n".join(texts)


def updates_in(message: Message) -> Update:
    """The message's one update. Raises `MessageError` when it has none, two different ones, or a malformed one."""
    body = message.body.replace("\r\n", "\n")
    lines = body.split("\n")
    found: dict[tuple[str, str, str], int] = {}
    for match in _LINE.finditer(body):
        line = body.count("\n", 0, match.start()) + 1
        fields = _fields(match["rest"], lines[line:line + WRAPPED])
        if not fields:
            raise MessageError(f"{_at(message, line)}: this update line is not one a deal page writes; expected "
                               "`mapsite-update: deal=<deal> item=<item> status=done` (or due=YYYY-MM-DD, or question)")
        found.setdefault((fields["deal"], fields["item"], fields["change"]), line)
    if not found:
        raise MessageError(f"{message.where}: no `{MARKER}` line; apply reads the messages a deal page's "
                           "Done, New date and Question links write, with that line left as it is")
    if len(found) > 1:
        lines = ", ".join(str(line) for line in found.values())
        raise MessageError(f"{message.where}: {len(found)} different update lines (lines {lines} of its text); "
                           "a message from a deal page carries one: apply them as separate messages")
    (deal, item, change), line = next(iter(found.items()))
    where = _at(message, line)
    if not SLUG.fullmatch(deal):
        raise MessageError(f"{where}: deal=`{deal}` is not a deal's name (a-z, 0-9 and -, as in plans/<deal>.md)")
    if not REFERENCE.fullmatch(item):
        raise MessageError(f"{where}: item=`{item}` is not an item reference (m:<id> or m:~<8 hex digits>, "
                           "then /s:~<8 hex digits> for a step)")
    day = None
    if change.startswith("due="):
        value = change.removeprefix("due=")
        try:
            day = iso_date(value)
        except ValueError as error:
            raise MessageError(f"{where}: {date_error(value, error)}") from None
        change = "due"
    else:
        change = "done" if change == "status=done" else "question"
    return Update(deal, item, change, day, where, message.sender, message.subject, _own_words(body))


def _fields(rest: str, following: list[str]) -> re.Match | None:
    """The line's fields; a line a mail program wrapped (at a space, as format=flowed and hard wraps do) is
    joined with the lines after it, their quoting removed."""
    for count in range(len(following) + 1):
        joined = " ".join([rest, *(re.sub(r"^[ \t>]*", "", text) for text in following[:count])])
        fields = _FIELDS.fullmatch(joined.strip())
        if fields:
            return fields
    return None


def _at(message: Message, line: int) -> str:
    """`reply.txt:14` for a text file; `inbox.mbox: message 3, line 14 of its text` for a parsed email."""
    return f"{message.where}:{line}" if message.plain else f"{message.where}, line {line} of its text"


def _own_words(body: str) -> str:
    """What the sender wrote: no quoted lines, no update line, no blank lines at either end."""
    kept = [line for line in body.split("\n") if not line.lstrip().startswith(">") and MARKER not in line.lower()]
    return "\n".join(kept).strip()
