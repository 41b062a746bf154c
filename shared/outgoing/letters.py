"""Postal letters: the ``paper`` messages of each platform printed as one PDF a day, one page per letter.

Each round, the letters queued before today (the platform's local day) are claimed, their address
and link opened through the vault, and written to ``<folder>/<platform>/<YYYY-MM-DD>.pdf``, ready
for the operators to print: the resident's name and address in the window, the text, and the link
as a QR code and in clear. The rows are then ``sent`` (outcome: the batch file).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer
from sqlalchemy import select, update

from shared.contracts.events.feedback import SendChannel
from shared.outgoing.delivery import Delivery, DeliveryFailed
from shared.outgoing.outbox import ERASED_OUTCOME, Status
from shared.outgoing.sender import Sender
from shared.privacy.errors import ResidentErasedError
from shared.storage.engine import begin_write

log = logging.getLogger(__name__)


def render_letters(letters: Sequence[Delivery], *, platform_name: str, day: date) -> bytes:
    """A PDF (A4) with one page per letter."""
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=11, leading=15)
    title = ParagraphStyle("title", parent=styles["Heading2"], spaceBefore=8 * mm)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=12)
    story: list[Any] = []
    for number, letter in enumerate(letters):
        if number:
            story.append(PageBreak())
        story.append(Paragraph(escape(platform_name), styles["Heading3"]))
        story.append(Paragraph(f"Le {day.strftime('%d/%m/%Y')}", small))
        address = [letter.name, *(letter.recipient.get("address") or "").split(",")]
        story.append(Paragraph("<br/>".join(escape(line.strip()) for line in address if line.strip()),
                               ParagraphStyle("address", parent=body, leftIndent=95 * mm, spaceBefore=10 * mm)))
        story.append(Paragraph(escape(letter.subject), title))
        greeting = f"Bonjour {letter.name}," if letter.name else "Bonjour,"
        for paragraph in [greeting, *letter.body.strip().split("\n\n")]:
            story.append(Paragraph(_printable(paragraph), body))
            story.append(Spacer(1, 2 * mm))
        if letter.link:
            story.append(Paragraph("Vous pouvez aussi répondre en ligne : scannez ce code avec votre téléphone "
                                   "ou tapez l'adresse ci-dessous.", body))
            story.append(Image(io.BytesIO(_qr_png(letter.link)), width=40 * mm, height=40 * mm, hAlign="LEFT"))
            story.append(Paragraph(escape(letter.link), small))
    output = io.BytesIO()
    document = SimpleDocTemplate(output, pagesize=A4, title=f"Courriers du {day.isoformat()}",
                                 leftMargin=20 * mm, rightMargin=20 * mm, topMargin=15 * mm, bottomMargin=15 * mm)
    document.build(story)
    return output.getvalue()


def _printable(paragraph: str) -> str:
    """A paragraph as ReportLab markup: line breaks kept, a numbered heading line in bold, wide gaps between
    the answers to circle kept wide."""
    lines = []
    for line in escape(paragraph).split("\n"):
        line = line.replace("   ", "&nbsp;" * 5)
        lines.append(f"<b>{line}</b>" if line[:1].isdigit() and line[1:3] == ". " else line)
    return "<br/>".join(lines)


def _qr_png(link: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(link, error="m", micro=False).save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


class LetterBatch:
    """Prints the day's letters of each platform (uses ``sender`` to open rows and record outcomes)."""

    def __init__(self, sender: Sender, folder: Path, *, zones: Mapping[str, ZoneInfo], names: Mapping[str, str]) -> None:
        self.sender = sender
        self.folder = folder
        self.zones = zones
        self.names = names

    async def print_due(self) -> list[Path]:
        """Print, for each platform, the letters queued before its local today; the PDFs written."""
        now = self.sender.clock.now()
        written = []
        for platform_id, zone in self.zones.items():
            path = await self.print_batch(platform_id, now.astimezone(zone).date())
            if path is not None:
                written.append(path)
        return written

    async def print_batch(self, platform_id: str, day: date) -> Path | None:
        """The letters of ``platform_id`` queued before ``day`` (local) into ``<platform>/<day>.pdf``; None if none."""
        table = self.sender.table
        zone = self.zones[platform_id]
        before = datetime.combine(day, time(0), zone)
        path = self.folder / platform_id / f"{day.isoformat()}.pdf"
        query = (select(table).where(table.c.platform_id == platform_id, table.c.channel == SendChannel.PAPER.value,
                                     table.c.status == Status.PENDING.value, table.c.created_at < before)
                 .order_by(table.c.created_at, table.c.notification_id))
        async with self.sender.engine.connect() as connection:
            rows = [dict(row) for row in (await connection.execute(query)).mappings()]
        if path.exists():
            rows = []  # today's batch is printed: later letters wait for tomorrow's
        letters, now = [], self.sender.clock.now()
        for row in rows:
            if not await self.sender.claim(row, now):
                continue
            try:
                letter = await self.sender.open(row)
                if not letter.recipient.get("address"):
                    raise DeliveryFailed("pas d'adresse postale connue", permanent=True)
            except ResidentErasedError:
                await self.sender.record(row["notification_id"], Status.CANCELLED, ERASED_OUTCOME)
                continue
            except DeliveryFailed as failure:
                await self.sender.record(row["notification_id"], Status.FAILED, failure.reason)
                continue
            letters.append(letter)
        if not letters:
            return None
        pdf = render_letters(letters, platform_name=self.names.get(platform_id, platform_id), day=day)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".pdf.part")
        temporary.write_bytes(pdf)
        temporary.replace(path)
        table = self.sender.table
        async with begin_write(self.sender.engine) as connection:
            await connection.execute(
                update(table).where(table.c.notification_id.in_([letter.notification_id for letter in letters]))
                .values(status=Status.SENT.value, sent_at=now, next_attempt_at=None,
                        outcome=f"courrier imprimé dans le lot {platform_id}/{path.name}"))
        log.info("letters of %s: %d in %s", platform_id, len(letters), path)
        return path
