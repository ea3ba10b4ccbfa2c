"""/report, /broadcast and /evaluation moved onto the kit's Flow keeping the integer states and
draft keys the release before persisted: a person in the middle when the new release starts
continues at the same step with their draft. Each test writes the `persisted_state` rows as
that release wrote them (conversation state, then `user_data[<draft key>]`), then starts the
bot and carries on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import Delivery, PersistedState
from handlers.management.broadcast import wait_for_sends
from services import evaluation
from tests.harness import BotHarness
from tests.report_fixtures import add_request, person, seed_october
from tests.unit.test_broadcasts import tg_of


async def resume(bot: BotHarness, who: OfflinePerson, name: str, state: int, draft: Any) -> None:
    """Stop the bot, write the rows the release before wrote, start the new release."""
    await bot.stop()
    async with bot.database.uow() as uow:
        key = f"[{who.user_id}, {who.user_id}]"  # PTB's (chat id, user id), as JSON
        await uow.session.merge(PersistedState(kind=f"conversation:{name}", key=key, data=state))
        await uow.session.merge(
            PersistedState(kind="user", key=str(who.user_id), data={name: draft, "lang": "en"})
        )
        await uow.commit()
    await bot.start()
    who.app = bot.app  # type: ignore[assignment]


async def test_report_resumes_at_the_station_step(bot: BotHarness) -> None:
    await seed_october(bot.database)
    admin = await bot.admin(lang="en")
    await admin.send("/start")
    await resume(bot, admin, "report", 4, {"period": "2026-10"})  # 4: STATION
    await admin.press_data("rep:s:jiangnan")
    assert admin.messages[-1].file_name == "report-2026-10-jiangnan.xlsx"


async def test_broadcast_resumes_at_the_text_step(bot: BotHarness) -> None:
    resident = await person(bot.database)
    await add_request(bot.database, resident_id=resident, station="jiangnan",
                      created="2026-10-01 09:00", status="submitted")  # fmt: skip
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en")
    await head.send("/start")
    await resume(bot, head, "broadcast", 2, {"station": "jiangnan", "audience": "residents"})
    await head.send("Health checks on Saturday")  # 2: TEXT
    assert head.last_text.startswith("Preview: this is what people will see.")
    assert "It will go to 1 person." in head.last_text
    await head.press("bc:send")
    await wait_for_sends(bot.app.bot_data)  # type: ignore[union-attr]
    async with bot.database.uow() as uow:
        recipients = (await uow.session.scalars(select(Delivery.recipient_tg_id))).all()
    assert recipients == [await tg_of(bot.database, resident)]


async def test_evaluation_resumes_at_the_value_step(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/start")
    draft = {"year": 2026, "station": "jiangnan", "indicator": "construction"}
    await resume(bot, admin, "evaluation", 4, draft)  # 4: VALUE
    await admin.send("18分")
    assert admin.last_text.startswith("Saved: Construction quality 18 / 20.")
    await admin.press("ev:back")  # back to the stations, as before the upgrade
    assert "Whose scores for 2026?" in admin.last_with_buttons().text
    async with bot.database.uow() as uow:
        assert await evaluation.entries_for(uow, year=2026) == {"jiangnan": {"construction": 18.0}}
