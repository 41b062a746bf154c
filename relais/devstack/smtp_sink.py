"""A local SMTP server that keeps every message it receives in a Maildir: the demo's outgoing mail, and the tests'.

Nothing is relayed anywhere. :func:`read_mailbox` lists what arrived, newest last.
"""

from __future__ import annotations

import mailbox
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

from relais.devstack.ports import free_port


class SmtpSink:
    """An SMTP server on ``host:port`` (a free port when 0) writing to the Maildir ``folder``; runs in its own thread."""

    def __init__(self, folder: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.folder = folder
        self.host = host
        self.port = port or free_port(host)
        self._controller = Controller(Mailbox(folder), hostname=host, port=self.port)

    def start(self) -> SmtpSink:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def address(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def service_env(self) -> dict[str, str]:
        """The settings that send a service's email here (plain SMTP, no login)."""
        return {"RELAIS_SMTP_HOST": self.host, "RELAIS_SMTP_PORT": str(self.port), "RELAIS_SMTP_SECURITY": "none",
                "RELAIS_SMTP_SENDER": "Relais (démo) <ne-pas-repondre@relais.invalid>"}

    def messages(self) -> list[EmailMessage]:
        return read_mailbox(self.folder)


@dataclass(frozen=True)
class Received:
    """One message of the sink, as listed to a person."""

    at: datetime | None
    to: str
    subject: str
    text: str


def read_mailbox(folder: Path) -> list[EmailMessage]:
    """Every message of the Maildir ``folder``, oldest first (empty when there is none)."""
    if not folder.exists():
        return []
    box = mailbox.Maildir(str(folder), factory=None, create=False)
    parser = BytesParser(policy=policy.default)
    found = [parser.parsebytes(box.get_bytes(key)) for key in box.keys()]
    messages = [message for message in found if isinstance(message, EmailMessage)]
    return sorted(messages, key=lambda message: _date(message) or datetime.min.astimezone())


def received(folder: Path) -> list[Received]:
    """The messages of ``folder`` with their plain text, oldest first."""
    listed = []
    for message in read_mailbox(folder):
        body = message.get_body(preferencelist=("plain",))
        listed.append(Received(at=_date(message), to=" ".join(str(message["To"] or "").split()),
                               subject=" ".join(str(message["Subject"] or "").split()),
                               text=body.get_content() if body is not None else ""))
    return listed



def _date(message: EmailMessage) -> datetime | None:
    try:
        return parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        return None
