"""Issue 12 / 16 / 11 at the edges of /request and /volunteer: an end told to those who heard
of it (once, through the ledger), text typed at the service step kept, a poster's station
taken as chosen, and the volunteer notices on the ledger across a restart."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import Delivery, ServiceRequest, VolunteerApplication
from tests.bot.test_requests import consent, make_request
from tests.bot.test_volunteer import sign_up
from tests.harness import BotHarness

pytestmark = pytest.mark.usefixtures("each_press_answered_once")


async def notices(bot: BotHarness, occasion: str) -> list[tuple[int, str, str]]:
    async with bot.database.uow() as uow:
        rows = (
            await uow.session.execute(
                select(Delivery.recipient_tg_id, Delivery.status, Delivery.period)
                .where(Delivery.occasion == occasion)
                .order_by(Delivery.id)
            )
        ).all()
    return [(int(r), str(s), str(p)) for r, s, p in rows]


def told(person: OfflinePerson, words: str) -> list[str]:
    return [m.text for m in person.messages if words in (m.text or "")]


# --- 1. both sides hear about an end ---------------------------------------------------------


async def test_an_untaken_request_cancelled_is_told_to_the_workers_who_heard_of_it(
    bot: BotHarness,
) -> None:
    li = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    wang = await bot.person(role="worker", stations=("jiangnan",), lang="zh", name="Wang")
    other = await bot.person(role="worker", stations=("xicheng",), lang="en", name="Other")
    resident = await bot.person(lang="en")
    ref = await make_request(resident)
    new_card = li.last_with_buttons()
    assert "New request for your station" in new_card.text
    await resident.send("/myrequests")
    await resident.press(f"✖ Cancel {ref}")
    await resident.press("Yes, cancel it")
    assert f"Request {ref} is cancelled" in resident.last_text
    # Both workers who were told of it are told again, each in their language, with the
    # request's number and service; the other station's worker hears nothing.
    assert told(li, f"cancelled request {ref} (Daily-life care for elderly people)")
    assert told(wang, f"居民已撤回申请 {ref}（老年人生活照料）")
    assert not told(other, ref)
    assert sorted(r for r, _, _ in await notices(bot, "cancelled")) == sorted(
        [li.user_id, wang.user_id]
    )
    # The new-request card's Accept no longer acts: a clear sentence, nothing changes.
    before = await bot.rows(skip=("persisted_state", "people", "first_contacts"))
    await li.press_data("ib:acc:1", message=new_card)
    assert "The resident has cancelled this request" in bot.telegram.callback_answers[-1]["text"]
    assert "✅ Accept" not in [b.text for b in new_card.buttons]  # the card as it now is
    assert await bot.rows(skip=("persisted_state", "people", "first_contacts")) == before
    # Cancelling again (an old button) tells nobody a second time.
    await resident.press_data("my:cxy:1", message=resident.messages[-1])
    assert "already closed" in resident.last_text
    assert len(told(li, "cancelled request")) == 1
    assert len(await notices(bot, "cancelled")) == 2


async def test_a_taken_request_cancelled_is_told_to_its_worker_only_once(
    bot: BotHarness,
) -> None:
    li = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    wang = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    resident = await bot.person(lang="en")
    ref = await make_request(resident)
    await li.press("ib:acc:1")
    card = li.last_with_buttons()
    wang_before = len(wang.messages)
    await resident.send("/myrequests")
    await resident.press(f"✖ Cancel {ref}")
    await resident.press("Yes, cancel it")
    assert told(li, f"cancelled request {ref}")
    assert len(wang.messages) == wang_before  # only the worker who took it
    # The worker's inbox card: Start work now says why nothing moves.
    await li.press_data("ib:go:1", message=card)
    assert "The resident has cancelled this request" in bot.telegram.callback_answers[-1]["text"]
    assert "🔧 Start work" not in [b.text for b in card.buttons]
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(ServiceRequest.status)) == "cancelled"
    # A restart and the minute tick send nothing again.
    await bot.restart()
    assert bot.app is not None
    await bot.app.bot_data.outbox.deliver_pending()
    assert len(told(li, "cancelled request")) == 1


async def test_a_notice_not_yet_sent_is_dropped_when_the_request_is_cancelled(
    bot: BotHarness,
) -> None:
    li = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    resident = await bot.person(lang="en")
    assert bot.app is not None
    held: list[Coroutine[Any, Any, Any]] = []
    bot.app.bot_data.outbox.spawn = held.append  # the background send has not got to it yet
    ref = await make_request(resident)
    bot.app.bot_data.outbox.spawn = None
    for coroutine in held:
        coroutine.close()
    assert [s for _, s, _ in await notices(bot, "new")] == ["planned"]
    await resident.send("/myrequests")
    await resident.press(f"✖ Cancel {ref}")
    await resident.press("Yes, cancel it")
    await bot.app.bot_data.outbox.deliver_pending()
    # Li never heard of it: neither the stale "new request" nor a "cancelled" reaches him.
    assert not told(li, ref)
    assert [s for _, s, _ in await notices(bot, "new")] == ["skipped"]
    assert await notices(bot, "cancelled") == []


async def test_a_withdrawn_application_is_told_to_the_station_and_its_buttons_stop(
    bot: BotHarness,
) -> None:
    li = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    person = await bot.person(lang="en")
    await sign_up(person, name="Xiao Ming")
    await person.press("vol:confirm")
    card = li.last_with_buttons()
    assert "New volunteer application" in card.text
    await person.send("/volunteer")
    await person.press("Withdraw my application")
    await person.press("Yes, withdraw")
    assert "withdrawn" in person.last_text
    assert told(li, "Xiao Ming has withdrawn the volunteer application to Jiangnan")
    await li.press_data("ib:vok:1", message=card)
    answer = bot.telegram.callback_answers[-1]["text"]
    assert "The applicant has withdrawn this application" in answer
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(VolunteerApplication.status)) == "withdrawn"
    assert [(r, p) for r, _, p in await notices(bot, "cancelled")] == [(li.user_id, "volunteer:1")]


# --- 2. text typed at the service step is kept ------------------------------------------------


async def test_text_typed_at_the_service_step_becomes_the_description(bot: BotHarness) -> None:
    await bot.person(role="worker", stations=("jiangnan",), lang="zh")
    resident = await bot.person(lang="zh")
    await resident.send("/request")
    await consent(resident)
    await resident.press("req:st:jiangnan")
    await resident.send("我腿脚不好 想有人来家里看看")
    text = resident.last_text
    assert "我已把您写的内容记作申请的说明" in text
    assert "“我腿脚不好 想有人来家里看看”" in text
    assert "req:svc:elderly_care" in [b.callback_data for b in resident.last_with_buttons().buttons]
    await resident.press("req:svc:elderly_care")
    await resident.press("req:who:myself")
    await resident.press("req:age:60_79")
    # The description step offers what was typed, to keep with one press.
    assert "保留：我腿脚不好" in " ".join(resident.button_labels())
    await resident.press("req:keep")
    await resident.send_contact("+8613800138000")
    await resident.press("req:time:weekday_morning")
    await resident.press("req:urg:no")
    assert "说明：我腿脚不好 想有人来家里看看" in resident.last_text
    # …and editable from the summary like any other answer.
    await resident.press("req:edit")
    await resident.press("req:ed:description")
    await resident.send("我腿脚不好，想请社工上门看看。")
    assert "说明：我腿脚不好，想请社工上门看看。" in resident.last_text
    await resident.press("req:confirm")
    async with bot.database.uow() as uow:
        row = (
            await uow.session.execute(
                select(ServiceRequest.description, ServiceRequest.service_code)
            )
        ).one()
    assert tuple(row) == ("我腿脚不好，想请社工上门看看。", "elderly_care")


async def test_a_service_clearly_named_in_typed_text_is_chosen(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/request")
    await consent(resident)
    await resident.press("req:st:jiangnan")
    await resident.send("I would like emotional support, I feel lonely since my wife died")
    text = resident.last_text
    assert "I have chosen “Emotional support” from what you wrote" in text
    assert "Who is the help for?" in text
    await resident.press("req:who:myself")
    await resident.press("req:age:60_79")
    await resident.press("req:keep")
    await resident.send_contact("+8613800138000")
    await resident.press("req:time:weekday_morning")
    await resident.press("req:urg:no")
    assert "Service: Emotional support" in resident.last_text
    assert "Description: I would like emotional support" in resident.last_text


async def test_a_photo_or_blank_at_the_service_step_is_re_asked_and_keeps_nothing(
    bot: BotHarness,
) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/request")
    await consent(resident)
    await resident.press("req:st:jiangnan")
    await resident.send_photo()
    assert "Please choose one of the buttons." in resident.last_text
    await resident.send("<b>&</b> help")
    assert "Kept as your description: “&lt;b&gt;&amp;&lt;/b&gt; help”" in resident.last.raw_text


async def test_at_the_service_step_an_emergency_or_a_question_is_answered_and_kept(
    bot: BotHarness,
) -> None:
    resident = await bot.person(lang="zh")
    await resident.send("/request")
    await consent(resident)
    await resident.press("req:st:jiangnan")
    before = len(resident.messages)
    await resident.send("我妈摔倒了起不来")
    numbers, step = resident.messages[before:]
    assert all(n in numbers.text for n in ("110", "120", "12355"))
    assert "已记作说明：“我妈摔倒了起不来”" in step.text  # a need: kept, the choice below
    assert "req:svc:elderly_care" in [b.callback_data for b in step.buttons]
    before = len(resident.messages)
    await resident.send("社工站几点开门？")
    answer, step = resident.messages[before:]
    assert "开放时间" in answer.text  # answered from the knowledge base, as outside a form
    assert any(b.text == "👍" for b in answer.buttons)  # and rated like any answer
    # Kept as well (the matcher answers many needs as questions): shown back, replaceable.
    assert "已记作说明：“我妈摔倒了起不来\n社工站几点开门？”" in step.text
    assert "req:svc:elderly_care" in [b.callback_data for b in step.buttons]


# --- 3. a poster's station ---------------------------------------------------------------------


async def test_a_request_from_the_station_poster_skips_the_station_step(bot: BotHarness) -> None:
    await bot.person(role="worker", stations=("xicheng",), lang="en")
    resident = await bot.person(lang="en")
    await resident.send("/start stn-xicheng-req")
    assert "Welcome to" in resident.last_text
    await resident.press("menu:request")
    await consent(resident)
    text = resident.last_text
    assert "What kind of help do you need?" in text
    assert "(from the poster; you can change it on the summary)" in text
    assert "req:st:jiangnan" not in [b.callback_data for b in resident.last_with_buttons().buttons]
    await resident.press("req:svc:elderly_care")
    await resident.press("req:who:family")
    await resident.press("req:age:80_plus")
    await resident.send("My mother is 82 and lives alone.")
    await resident.send_contact("+8613800138000")
    await resident.press("req:time:weekday_morning")
    await resident.press("req:urg:no")
    summary = resident.last_text
    assert "Station: Xicheng" in summary
    # Changeable with Edit, and back to the summary.
    await resident.press("req:edit")
    await resident.press("req:ed:station")
    await resident.press("req:st:jiangnan")
    assert "Station: Jiangnan" in resident.last_text
    await resident.press("req:edit")
    await resident.press("req:ed:station")
    await resident.press("req:st:xicheng")
    await resident.press("req:confirm")
    assert re.search(r"XC-\d{4}", resident.last_text), resident.last_text
    # Used once: the next /request asks for the station again.
    await resident.send("/request")
    assert "Which station should help you?" in resident.last_text


async def test_a_poster_station_and_a_request_this_service_button_start_at_for_whom(
    bot: BotHarness,
) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/start stn-xicheng-req")
    await resident.send("/start")
    faq_answer = resident.last_with_buttons()
    await resident.press_data("req:start:summer_childcare", message=faq_answer)
    await consent(resident)
    assert "Who is the help for?" in resident.last_text  # neither station nor service asked
    await resident.press("req:who:child")
    await resident.press("req:back")
    await resident.press("req:back")
    assert "What kind of help do you need?" in resident.last_text  # Back still shows it
    assert "Xicheng" in resident.last_text


async def test_a_poster_station_at_the_open_limit_is_asked_as_usual(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    for n in range(3):
        await make_request(resident, station="xicheng", first_time=n == 0)
    await resident.send("/start stn-xicheng-req")
    await resident.send("/request")
    assert "Which station should help you?" in resident.last_text
    await resident.press("req:st:xicheng")
    assert "already have 3 open requests" in resident.last_text


async def test_a_volunteer_from_the_station_poster_is_not_asked_the_station(
    bot: BotHarness,
) -> None:
    li = await bot.person(role="worker", stations=("xicheng",), lang="en")
    person = await bot.person(lang="en")
    await person.send("/start stn-xicheng-vol")
    await person.press("menu:volunteer")
    await person.press("vol:age:18_59")
    await person.press("vol:cons:yes")
    await person.press("vol:xb:yes")
    await person.send("Zhou")
    await person.send_contact("+8613800138000")
    assert "What can you offer?" in person.last_text  # no station step
    await person.press("vol:sk:tutoring")
    await person.press("vol:skd")
    await person.press("vol:av:weekends")
    await person.press("vol:avd")
    await person.press("vol:party:no")
    assert "Station: Xicheng" in person.last_text
    await person.press("vol:edst")
    assert "Which station would you like to help?" in person.last_text
    await person.press("vol:st:xicheng")
    assert "Please check your application" in person.last_text
    await person.press("vol:confirm")
    assert "New volunteer application" in li.last_text


# --- 4. the volunteer notices on the ledger ---------------------------------------------------


async def test_a_restart_between_the_application_and_its_notice_neither_loses_nor_doubles(
    bot: BotHarness,
) -> None:
    li = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    person = await bot.person(lang="en")
    await sign_up(person)
    assert bot.app is not None
    # The process dies after the commit, while the station's notice is being sent.
    stuck, never = asyncio.Event(), asyncio.Event()

    async def hang(endpoint: str, params: dict[str, object]) -> None:
        if endpoint == "sendMessage" and str(params.get("chat_id")) == str(li.user_id):
            stuck.set()
            await never.wait()

    bot.telegram.fault_hook = hang  # type: ignore[assignment]
    pressing = asyncio.create_task(person.press("vol:confirm"))
    await stuck.wait()
    pressing.cancel()
    await asyncio.gather(pressing, return_exceptions=True)
    bot.telegram.fault_hook = None
    assert "Your application has gone to Jiangnan" in person.last_text  # answered first
    assert not told(li, "New volunteer application")
    assert [(r, s) for r, s, _ in await notices(bot, "new")] == [(li.user_id, "unknown")]
    await bot.restart()
    assert bot.app is not None
    outbox = bot.app.bot_data.outbox
    await outbox.deliver_pending()  # the minute tick right after: in flight, not yet retried
    assert not told(li, "New volunteer application")
    bot.clock.current += timedelta(minutes=11)  # its one retry
    await outbox.deliver_pending()
    await outbox.deliver_pending()
    assert len(told(li, "New volunteer application")) == 1
    assert await applications_count(bot) == 1


async def test_the_decision_reaches_the_applicant_once_across_a_restart(bot: BotHarness) -> None:
    li = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    person = await bot.person(lang="en")
    await sign_up(person)
    await person.press("vol:confirm")
    assert bot.app is not None
    held: list[Coroutine[Any, Any, Any]] = []
    bot.app.bot_data.outbox.spawn = held.append  # the background send has not run yet
    await li.press("✅ Approve")
    assert "Approved" in li.last_text
    assert not told(person, "approved your volunteer application")
    assert [(r, s) for r, s, _ in await notices(bot, "approved")] == [(person.user_id, "planned")]
    for coroutine in held:
        coroutine.close()  # the process stops before it runs
    await bot.restart()
    assert bot.app is not None
    await bot.app.bot_data.outbox.deliver_pending()  # the minute tick
    await bot.app.bot_data.outbox.deliver_pending()
    assert len(told(person, "approved your volunteer application")) == 1
    assert [(r, s) for r, s, _ in await notices(bot, "approved")] == [(person.user_id, "sent")]


async def applications_count(bot: BotHarness) -> int:
    async with bot.database.uow() as uow:
        return len((await uow.session.scalars(select(VolunteerApplication.id))).all())


async def test_forget_leaves_no_copy_of_the_application_in_the_ledger(bot: BotHarness) -> None:
    li = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    person = await bot.person(lang="en")
    await sign_up(person, name="Zhou Xiaomei")
    await person.press("vol:confirm")
    assert "Zhou Xiaomei" in li.last_text

    async def payloads() -> str:
        async with bot.database.uow() as uow:
            rows = (await uow.session.scalars(select(Delivery.payload))).all()
        return json.dumps(rows, ensure_ascii=False)

    assert "Zhou Xiaomei" in await payloads() and "+8613800138000" not in await payloads()
    await person.send("/forget")
    await person.press_data("forget:yes")
    text = await payloads()
    assert "Zhou Xiaomei" not in text and "138 0013 8000" not in text
