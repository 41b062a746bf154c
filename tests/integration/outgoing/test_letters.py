"""The postal batch: one PDF per platform and day, one page per letter, read back with pdftotext and zbarimg."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shared.contracts.events.feedback import SendChannel
from shared.outgoing.letters import LetterBatch
from shared.privacy.contact import ResidentContact

from .conftest import JEANNE, Outbox

pytestmark = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("zbarimg") and shutil.which("pdftoppm")),
                                reason="needs poppler-utils and zbar-tools (deploy/scripts/system-deps.sh)")

PAUL = ResidentContact(name="Paul Durand", phone="05 55 12 34 57", address="12 avenue Foch, 87100 Limoges")


def batch(outbox: Outbox, folder: Path) -> LetterBatch:
    return LetterBatch(outbox.sender({}), folder, zones={"limoges": ZoneInfo("Europe/Paris")},
                       names={"limoges": "Proximain (Limoges)"})


async def test_the_days_letters_are_one_pdf_page_each_with_name_address_and_a_qr_code_of_the_link(
        outbox: Outbox, tmp_path: Path) -> None:
    jeanne = await outbox.queue_for(SendChannel.PAPER, contact=JEANNE, resident_id="res-1",
                                    link="https://avis.example.fr/s/jeanne-token")
    paul = await outbox.queue_for(SendChannel.PAPER, contact=PAUL, resident_id="res-2",
                                  link="https://avis.example.fr/s/paul-token")
    letters = batch(outbox, tmp_path / "letters")

    assert await letters.print_due() == []  # queued today: printed with tomorrow's batch
    outbox.clock.advance(timedelta(days=1))
    (pdf,) = await letters.print_due()
    assert await letters.print_due() == []

    assert pdf == tmp_path / "letters" / "limoges" / "2026-03-03.pdf"
    pages = [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"], check=True,
                            capture_output=True, text=True).stdout for n in (1, 2)]
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "Pages:           2" in info
    assert "Jeanne Martin" in pages[0] and "3 rue des Tilleuls" in pages[0] and "87000 Limoges" in pages[0]
    assert "https://avis.example.fr/s/jeanne-token" in pages[0]
    assert "Paul Durand" in pages[1] and "https://avis.example.fr/s/paul-token" in pages[1]
    assert "Paul" not in pages[0]
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")], check=True)
    codes = [subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], check=True, capture_output=True,
                            text=True).stdout.strip() for image in sorted(tmp_path.glob("page-*.png"))]
    assert codes == ["https://avis.example.fr/s/jeanne-token", "https://avis.example.fr/s/paul-token"]
    for notification_id in (jeanne, paul):
        row = await outbox.row(notification_id)
        assert (row["status"], row["outcome"]) == ("sent", "courrier imprimé dans le lot limoges/2026-03-03.pdf")


async def test_a_letter_without_postal_address_is_recorded_failed(outbox: Outbox, tmp_path: Path) -> None:
    notification_id = await outbox.queue_for(SendChannel.PAPER, contact=JEANNE.model_copy(update={"address": None}))
    outbox.clock.advance(timedelta(days=1))

    assert await batch(outbox, tmp_path).print_due() == []
    row = await outbox.row(notification_id)
    assert (row["status"], row["outcome"]) == ("failed", "pas d'adresse postale connue")
