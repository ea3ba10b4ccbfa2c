"""/start with a payload shaped like ours that is not (edges8): a damaged activity QR, a poster
of a station no longer served. The person hears about the QR code or poster, not about an
invitation and their administrator, and is never slowed down as an invitation-code guesser."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import AuditEntry
from knowledge.deep_links import looks_like_ours
from services import staff
from tests.harness import BotHarness

DAMAGED = [
    "act-r-" + "x" * 23,  # a character too many
    "act-v-",
    "act-r-abc",
    "stn-nowhere-req",  # an old poster's station
    "stn-jiangnan-xyz",
]
SAID = {
    "en": "This QR code or poster link does not work",
    "zh": "这个二维码或海报链接用不了",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_damaged_qr_codes_and_old_posters_say_so(bot: BotHarness, lang: str) -> None:
    resident = await bot.person(lang=lang)
    for payload in DAMAGED * 2:  # more than the invitation throttle's limit
        await resident.send(f"/start {payload}")
        assert resident.last_text.startswith(SAID[lang])
        assert "invitation" not in resident.last_text and "邀请" not in resident.last_text
        assert any(b.callback_data == "menu:request" for b in resident.last.buttons)
    async with bot.database.uow() as uow:
        wrong = await uow.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == staff.WRONG_CODE)
        )
    assert wrong == 0


async def test_an_invitation_is_still_an_invitation(bot: BotHarness) -> None:
    someone = await bot.person(lang="en")
    await someone.send("/start " + "A" * 32)
    assert "This invitation link is not valid" in someone.last_text


def test_no_invitation_code_begins_like_a_poster_or_a_qr() -> None:
    assert looks_like_ours("stn-x") and looks_like_ours("act-") and not looks_like_ours("A" * 32)
