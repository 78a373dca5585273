"""Sending email through the team's SMTP server, configured by the environment.

`MAPSITE_SMTP_URL` is `smtp://user:password@host:port` (STARTTLS whenever the server offers it; port 587
by default) or `smtps://…` (TLS from the first byte; port 465 by default); user and password are
percent-decoded (`%40` for `@`). `MAPSITE_MAIL_FROM` is the sender. Certificates are checked against the
system's CAs (`SSL_CERT_FILE` names another bundle). A password is never sent unencrypted: a server that
offers no STARTTLS to a URL with a password is refused. Nothing here prints the URL or the password.

Each message goes to one recipient; a refused recipient or message is reported and the rest still go out.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

URL_VARIABLE, FROM_VARIABLE = "MAPSITE_SMTP_URL", "MAPSITE_MAIL_FROM"
PORTS = {"smtp": 587, "smtps": 465}
TIMEOUT = 60  # seconds per server reply


class MailError(Exception):
    """The mail settings cannot be used, or the server cannot be reached or logged in to; one line, no secret."""


@dataclass(frozen=True)
class SmtpSettings:
    scheme: str  # smtp (STARTTLS when offered) or smtps (implicit TLS)
    host: str
    port: int
    sender: str
    user: str = ""
    password: str = field(default="", repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SmtpSettings:
        """Both variables, checked; a MailError naming the variable (never quoting the URL, which holds a password)."""
        raw = environ.get(URL_VARIABLE, "").strip()
        shape = "smtp://user:password@host:port (STARTTLS) or smtps://user:password@host:port (TLS)"
        if not raw:
            raise MailError(f"{URL_VARIABLE} is not set; set it to {shape}, or use --dry-run")
        url = urlsplit(raw)
        if url.scheme not in PORTS:
            raise MailError(f"{URL_VARIABLE} must start with smtp:// or smtps://, as in {shape}")
        try:
            port = url.port or PORTS[url.scheme]
        except ValueError:
            raise MailError(f"{URL_VARIABLE} has a port that is not a number from 1 to 65535; use {shape}") from None
        if not url.hostname or url.path not in ("", "/") or url.query or url.fragment:
            raise MailError(f"{URL_VARIABLE} must be a server and nothing more, as in {shape}")
        if url.password is not None and not url.username:
            raise MailError(f"{URL_VARIABLE} has a password without a user; use {shape}")
        sender = environ.get(FROM_VARIABLE, "").strip()
        if "@" not in parseaddr(sender)[1]:
            raise MailError(f"{FROM_VARIABLE} must be the sender's address, e.g. Deal desk <deals@example.com>"
                            + ("" if sender else " (it is not set)"))
        return cls(url.scheme, url.hostname, port, sender, unquote(url.username or ""), unquote(url.password or ""))


@dataclass(frozen=True)
class Failure:
    recipient: str
    reason: str


def send_all(messages: Iterable[EmailMessage], settings: SmtpSettings) -> list[Failure]:
    """Send each message on one connection; the failures, per recipient (an empty list when all went out).

    A MailError when the server cannot be reached or refuses the login: then nothing was sent.
    """
    failures: list[Failure] = []
    connection: smtplib.SMTP | None = _connect(settings)
    try:
        for message in messages:
            recipient = message["To"]
            try:
                connection = connection or _connect(settings)
                connection.send_message(message)
            except MailError as error:  # reconnecting failed: this one (and each after it, in turn) is not sent
                failures.append(Failure(recipient, str(error)))
            except smtplib.SMTPRecipientsRefused as error:
                failures += [Failure(recipient, _reply(code, text)) for code, text in error.recipients.values()]
            except smtplib.SMTPResponseException as error:
                failures.append(Failure(recipient, _reply(error.smtp_code, error.smtp_error)))
            except (smtplib.SMTPException, OSError) as error:  # the connection broke: this one failed, the next reconnects
                failures.append(Failure(recipient, str(error) or type(error).__name__))
                connection.close()
                connection = None
    finally:
        _quit(connection)
    return failures


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    where = f"{settings.host}:{settings.port}"
    context = ssl.create_default_context()
    connection = None
    try:
        if settings.scheme == "smtps":
            connection = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT, context=context)
        else:
            connection = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
            connection.ehlo()
            if connection.has_extn("starttls"):
                connection.starttls(context=context)
                connection.ehlo()
            elif settings.user:
                raise MailError(f"{where} offers no STARTTLS, and the password is never sent unencrypted; "
                                "use smtps:// or a server that offers STARTTLS")
        if settings.user:
            connection.login(settings.user, settings.password)
        return connection
    except smtplib.SMTPAuthenticationError as error:
        _quit(connection)
        raise MailError(f"{where} refused the login of user {settings.user!r}: {_reply(error.smtp_code, error.smtp_error)}") from None
    except MailError:
        _quit(connection)
        raise
    except (smtplib.SMTPException, OSError) as error:  # ssl.SSLError is an OSError
        _quit(connection)
        raise MailError(f"cannot send through {where}: {error.strerror if isinstance(error, OSError) and error.strerror else error}") from None


def _quit(connection: smtplib.SMTP | None) -> None:
    if connection is None:
        return
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()


def _reply(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
