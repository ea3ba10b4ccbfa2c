"""An invitation opened by someone who already holds its role says so plainly, grants nothing
and leaves the link as it was (it had been used up, audited as a grant, and answered
"Welcome! Your new role")."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import AuditEntry, Invite, StaffRole
from tests.bot.test_admin import _invite_code
from tests.harness import BotHarness


async def _grants(bot: BotHarness) -> int:
    async with bot.database.uow() as uow:
        return int(
            await uow.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "role.grant")
            )
            or 0
        )


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "zh",
            "您已经是江南街道社工站的社工了。身份没有变化，这个链接仍可以给原本要邀请的人使用。",
        ),
        (
            "en",
            "You already are a social worker of Jiangnan Street Social Work Station. Nothing "
            "changed, and the link still works for the person it was meant for.",
        ),
    ],
)
async def test_a_worker_opening_a_worker_invite_for_their_station(
    bot: BotHarness, lang: str, said: str
) -> None:
    code = await _invite_code(bot)
    worker = await bot.person(role="worker", stations=("jiangnan",), lang=lang)
    grants = await _grants(bot)
    await worker.send(f"/start {code}")
    assert worker.messages[-1].text.startswith(said)
    assert "Welcome" not in worker.last_text and "欢迎" not in worker.last_text
    async with bot.database.uow() as uow:
        invite = (await uow.session.scalars(select(Invite))).one()
        assert invite.used_at is None  # still there for the person it was meant for
        roles = await uow.session.scalars(select(StaffRole).where(StaffRole.role == "worker"))
        assert len(roles.all()) == 1
    assert await _grants(bot) == grants
    newcomer = await bot.person(lang="en")
    await newcomer.send(f"/start {code}")
    assert newcomer.last_text.startswith("Welcome! Your new role: social worker")


async def test_opening_ones_own_used_link_again_says_the_role_is_held(bot: BotHarness) -> None:
    code = await _invite_code(bot, role="supervisor")
    newcomer = await bot.person(lang="en")
    await newcomer.send(f"/start {code}")
    assert newcomer.last_text.startswith("Welcome! Your new role: supervisor")
    await newcomer.send(f"/start {code}")
    assert newcomer.messages[-1].text.startswith(
        "You already are a supervisor of Jiangnan Street Social Work Station. Nothing changed."
    )
    assert "already been used" not in newcomer.last_text


async def test_an_admin_invite_to_an_administrator(bot: BotHarness) -> None:
    code = await _invite_code(bot, role="admin")
    deputy = await bot.person(role="admin", lang="en")
    await deputy.send(f"/start {code}")
    assert deputy.messages[-1].text.startswith("You already are an administrator.")


async def test_another_stations_invite_still_grants(bot: BotHarness) -> None:
    code = await _invite_code(bot, station="xicheng")
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send(f"/start {code}")
    assert worker.last_text.startswith("Welcome! Your new role: social worker, Xicheng")
