"""A real SMTP server on loopback for the reminder tests: aiosmtpd, with a handler that keeps what it receives.

Plain, STARTTLS or implicit TLS (with a self-signed certificate made here with `cryptography`), with or
without AUTH; addresses in `refuse` are answered 550 at RCPT, as a real server refuses a mailbox.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage
    tls: bool
    login: str | None


@dataclass
class Collector:
    """The handler: refuses the addresses in `refuse`, keeps every message it accepts."""

    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address in self.refuse:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        tls = server.transport.get_extra_info("ssl_object") is not None
        self.received.append(Received(list(envelope.rcpt_tos), message, tls, session.auth_data))
        return "250 Message accepted"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key (cert.pem, key.pem); trust it with SSL_CERT_FILE."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mapsite test SMTP")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """`with SmtpServer(...) as server:` a running server; `server.url(...)` is its MAPSITE_SMTP_URL."""

    def __init__(self, collector: Collector, *, certificate: tuple[Path, Path] | None = None, implicit_tls: bool = False,
                 logins: dict[str, str] | None = None):
        self.collector = collector
        self.implicit_tls = implicit_tls
        kwargs: dict = {}
        context = None
        if certificate:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, certificate))
        if context and not implicit_tls:
            kwargs.update(tls_context=context, require_starttls=True)
        if logins is not None:
            kwargs.update(auth_required=True, authenticator=self._authenticator(logins),
                          auth_require_tls=True)
        self.port = _free_port()
        self.controller = Controller(collector, hostname="127.0.0.1", port=self.port,
                                     ssl_context=context if implicit_tls else None, **kwargs)

    @staticmethod
    def _authenticator(logins: dict[str, str]):
        def authenticate(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and logins.get(data.login.decode()) == data.password.decode()
            return AuthResult(success=ok, handled=False, auth_data=data.login.decode() if ok else None)
        return authenticate

    def url(self, user: str = "", password: str = "") -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        credentials = f"{user}:{password}@" if user else ""
        return f"{scheme}://{credentials}127.0.0.1:{self.port}"

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
