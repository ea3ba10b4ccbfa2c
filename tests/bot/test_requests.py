"""/request, the station's handling of it (/inbox, notifications), /myrequests and the rating."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from bench import scenario_request
from bot.offline_telegram import OfflinePerson, TelegramRefusal
from db.models import Consent, Delivery, PersistedState, RequestEvent, ServiceRequest
from services import people, requests
from tests.harness import BotHarness

pytestmark = pytest.mark.usefixtures("each_press_answered_once")


async def consent(person: OfflinePerson) -> None:
    await person.press("req:cons:yes")
    await person.press("req:xb:yes")


async def fill_request(
    person: OfflinePerson,
    *,
    station: str = "jiangnan",
    description: str = "My mother is 82 and lives alone.",
    urgent: bool = False,
    first_time: bool = True,
) -> None:
    """Everything up to (not including) Confirm."""
    await person.send("/request")
    if first_time:
        await consent(person)
    await person.press(f"req:st:{station}")
    await person.press("req:svc:elderly_care")
    await person.press("req:who:family")
    await person.press("req:age:80_plus")
    await person.send(description)
    await person.send_contact("+8613800138000")
    await person.press("req:time:weekday_morning")
    await person.press("req:urg:yes" if urgent else "req:urg:no")


async def make_request(person: OfflinePerson, **kw: object) -> str:
    await fill_request(person, **kw)  # type: ignore[arg-type]
    await person.press("req:confirm")
    found = re.search(r"[A-Z]{2}-\d{4}", person.last_text)
    assert found, person.last_text
    return found.group(0)


async def count_requests(bot: BotHarness) -> int:
    async with bot.database.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(ServiceRequest)) or 0)


async def request_id(bot: BotHarness, ref: str) -> int:
    async with bot.database.uow() as uow:
        found = await uow.session.scalar(select(ServiceRequest.id).where(ServiceRequest.ref == ref))
    assert found is not None
    return int(found)


async def test_request_made_accepted_completed_and_rated(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    other_worker = await bot.person(role="worker", stations=("jiangnan",), lang="zh", name="王")
    resident = await bot.person(lang="en", name="Ann")

    await resident.send("/request")
    assert "personal information" in resident.last_text
    await resident.press("req:cons:yes")
    assert "outside mainland China" in resident.last_text
    await resident.press("req:xb:yes")
    assert "Step 1 of 7" in resident.last_text
    async with bot.database.uow() as uow:
        kinds = sorted((await uow.session.scalars(select(Consent.kind))).all())
    assert kinds == ["cross_border", "personal_info"]
    await resident.press("req:st:jiangnan")
    assert "Step 2 of 7" in resident.last_text
    await resident.press("req:svc:elderly_care")
    await resident.press("req:who:family")
    assert "How old is your family member?" in resident.last_text
    await resident.press("req:age:80_plus")
    assert "Step 4 of 7" in resident.last_text
    await resident.send("Mum <b>needs</b> help & *shopping* _twice_ a week 🙏")
    assert any(b.request_contact for b in resident.reply_keyboard())
    await resident.send_contact("+8613800138000")
    assert resident.reply_keyboard() == []  # the share-contact keyboard is taken away
    await resident.press("req:time:weekday_morning")
    await resident.press("req:urg:no")
    summary = resident.last_text
    assert "Step 7 of 7" in summary
    assert "Mum <b>needs</b> help & *shopping* _twice_ a week 🙏" in summary  # shown as typed
    assert "&lt;b&gt;" in resident.last.raw_text  # escaped for HTML
    assert "138 0013 8000" in summary
    assert resident.button_labels()[:2] == ["✅ Confirm and send", "✏️ Edit"]
    await resident.press("req:confirm")
    assert "JN-0001" in resident.last_text and "/myrequests" in resident.last_text

    # Both workers of the station hear of it, each in their own language, with Accept.
    assert "New request for your station" in worker.last_text
    assert "JN-0001" in worker.last_text and "138 0013 8000" in worker.last_text
    assert "JN-0001" in other_worker.last_text
    await worker.press("ib:acc:1")
    assert "You have accepted JN-0001" in worker.last_text
    assert "accepted your request JN-0001" in resident.last_text
    # The second worker is too late: told who has it, nothing changes.
    await other_worker.press(1)  # Accept
    answer = bot.telegram.callback_answers[-1]
    assert "Li" in answer["text"] and answer.get("show_alert")

    await worker.press("🔧 Start work")
    assert "Work on your request JN-0001 has started" in resident.last_text
    await worker.press("✔️ Complete")
    assert "short note of what was done" in worker.last_text
    await worker.send("Visited; arranged <two> shopping trips & a neighbour.")
    assert "Complete JN-0001 with this note?" in worker.last_text
    await worker.press("ibn:ok")
    assert "Done. The resident has been told." in worker.last_text
    assert "is completed" in resident.last_text
    assert "arranged <two> shopping trips & a neighbour" in resident.last_text
    await resident.press("rate:1:4")
    assert "⭐⭐⭐⭐" in resident.last_text and "comment" in resident.last_text
    await resident.send("Very kind, thank you! 谢谢 <3")
    assert "passed to the station" in resident.last_text and "<3" in resident.last_text
    await resident.press_data("rate:1:1", message=resident.messages[-3])
    assert "already rated" in bot.telegram.callback_answers[-1]["text"]

    async with bot.database.uow() as uow:
        row = await uow.session.get(ServiceRequest, 1)
        assert row is not None
        assert (row.status, row.rating, row.rating_comment) == (
            "completed", 4, "Very kind, thank you! 谢谢 <3",
        )  # fmt: skip
        assert row.description == "Mum <b>needs</b> help & *shopping* _twice_ a week 🙏"
        events = (
            await uow.session.scalars(select(RequestEvent.to_status).order_by(RequestEvent.id))
        ).all()
    assert events == ["submitted", "accepted", "in_progress", "completed"]
    await resident.send("/myrequests")
    assert "JN-0001" in resident.last_text and "Completed" in resident.last_text


async def test_declined_with_a_reason_the_resident_reads(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person(lang="zh")
    ref = await make_request(resident)
    await worker.send("/inbox")
    assert "New (1)" in " ".join(worker.button_labels())
    await worker.press("ib:sec:new:0")
    await worker.press(1)
    assert ref in worker.last_text
    await worker.press("✖ Decline")
    await worker.send("Outside our area & <not> our service")
    await worker.press("ibn:ok")
    assert "Declined" in worker.last_text
    assert ref in resident.last_text
    assert "Outside our area & <not> our service" in resident.last_text
    assert "0579-8000 0003" in resident.last_text  # the station's phone
    await resident.send("/myrequests")
    assert "my:cx:" not in str([b.callback_data for b in resident.last.buttons])


async def test_resident_cancels_and_the_worker_is_told(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person(lang="en")
    ref = await make_request(resident)
    await worker.press("ib:acc:1")
    await resident.send("/myrequests")
    await resident.press(f"✖ Cancel {ref}")
    assert "Cancel this request?" in resident.last_text
    await resident.press("Yes, cancel it")
    assert f"Request {ref} is cancelled" in resident.last_text
    assert f"cancelled request {ref} (Daily-life care for elderly people)" in worker.last_text
    # The worker's buttons are now stale: nothing moves, and the press says why.
    await worker.press_data("ib:go:1")
    answer = bot.telegram.callback_answers[-1]["text"]
    assert "The resident has cancelled this request" in answer
    # A second Cancel press (old message) changes nothing either.
    await resident.press_data("my:cxy:1", message=resident.messages[-1])
    assert "already closed" in resident.last_text


async def test_two_confirm_presses_make_one_request(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await fill_request(resident)
    summary = resident.last_with_buttons()
    await resident.press("req:confirm", message=summary)
    await resident.press_data("req:confirm", message=summary)
    assert "expired" in bot.telegram.callback_answers[-1]["text"]
    assert await count_requests(bot) == 1


async def test_open_request_limit_per_station(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    for n in range(3):
        await make_request(resident, first_time=n == 0)
    await resident.send("/request")
    assert resident.button_labels()[0] == "Jiangnan Street Social Work Station"  # last used first
    await resident.press("req:st:jiangnan")
    assert "already have 3 open requests" in resident.last_text
    assert "Step 1 of 7" in resident.last_text  # still choosing a station
    await resident.press("req:st:xicheng")
    assert "Step 2 of 7" in resident.last_text
    assert await count_requests(bot) == 3


async def test_open_limit_is_checked_again_at_confirm(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    for n in range(2):
        await make_request(resident, first_time=n == 0)
    await fill_request(resident, first_time=False)  # the third, not yet confirmed
    # Meanwhile a third request reaches the station another way (another device, say).
    async with bot.database.uow() as uow:
        person_id = (
            await people.access_for(uow, tg_id=resident.user_id, now=bot.clock.now())
        ).person_id
        await requests.submit(
            uow, resident_id=person_id, station_code="jiangnan", service_code="other",
            for_whom="myself", age_group="18_59", description="x", phone="13800138000",
            preferred_time="any", urgent=False, client_token="elsewhere",
            known_services=("other",), open_limit=3, now=bot.clock.now(),
        )  # fmt: skip
    await resident.press("req:confirm")
    assert "already have 3 open requests" in resident.last_text
    assert "✅ Confirm and send" in resident.button_labels()  # nothing lost: still the summary
    assert await count_requests(bot) == 3


async def test_urgent_request_shows_emergency_numbers_and_is_recorded(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person(lang="en")
    await fill_request(resident, urgent=True)
    numbers = resident.messages[-2].text
    assert "110" in numbers and "120" in numbers and "12355" in numbers
    assert "Urgent: 🔴 Yes" in resident.last_text
    await resident.press("req:confirm")
    assert "12355" in resident.last_text
    assert "URGENT" in worker.last_text
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(ServiceRequest.urgent)) is True


async def test_bad_phone_numbers_are_asked_again_with_an_example(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/request")
    await consent(resident)
    await resident.press("req:st:jiangnan")
    await resident.press("req:svc:emotional_support")
    await resident.press("req:who:myself")
    await resident.press("req:age:60_79")
    await resident.send("I feel lonely since my husband died.")
    for bad in ("12345", "call me", "+1 415 555 2671", "110"):
        await resident.send(bad)
        assert "138 0013 8000" in resident.last_text, bad  # an example
        assert any(b.request_contact for b in resident.reply_keyboard())
    await resident.send_sticker()
    assert "phone number" in resident.last_text
    await resident.send_contact("+14155552671")
    assert "mainland China" in resident.last_text
    await resident.send("０５７９-８０００ ０００１")  # full-width digits: a landline
    assert "0579-8000 0001" in resident.messages[-2].text  # a landline as it is written
    await resident.press("req:time:any")
    await resident.press("req:urg:no")
    assert "Phone: 0579-8000 0001" in resident.last_text


async def test_photo_or_sticker_instead_of_a_description(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/request")
    await consent(resident)
    await resident.press("req:st:jiangnan")
    await resident.press("req:svc:other")
    await resident.press("req:who:child")
    assert resident.button_labels()[:3] == ["0–5 years", "6–13 years", "14–17 years"]
    await resident.press("req:age:6_13")
    await resident.send_photo()  # the kit's one re-ask sentence for typed text
    assert "Please type your answer as text" in resident.last_text
    assert "Step 4 of 7" in resident.last_text
    await resident.send_sticker()
    assert "Please type your answer as text" in resident.last_text
    await resident.send_location()
    assert "Please type your answer as text" in resident.last_text
    before = len(resident.messages)
    await resident.send("/myrequests")  # a look mid-conversation: answered, the step again
    said = [m.text for m in resident.messages[before:]]
    assert len(said) == 2 and "middle of a request" not in said[0], said
    assert "Step 4 of 7" in resident.last_text
    await resident.send("My son is bullied at school.")
    assert "Step 5 of 7" in resident.last_text


async def test_overlong_description_can_be_trimmed_and_nothing_is_lost(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/request")
    await consent(resident)
    await resident.press("req:st:jiangnan")
    await resident.press("req:svc:other")
    await resident.press("req:who:myself")
    await resident.press("req:age:18_59")
    long_text = "<&*_" + "长" * 3996
    await resident.send(long_text)
    assert "4000 characters" in resident.last_text
    await resident.press("✂️ Keep the first 1000 characters")
    await resident.send_contact()
    await resident.press("req:time:any")
    await resident.press("req:urg:no")
    await resident.press("req:confirm")
    async with bot.database.uow() as uow:
        stored = await uow.session.scalar(select(ServiceRequest.description))
    assert stored == long_text[:1000]


async def test_restart_in_the_middle_of_a_request(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/request")
    await consent(resident)
    await resident.press("req:st:xicheng")
    await resident.press("req:svc:disability_support")
    await resident.press("req:who:family")
    await resident.press("req:age:18_59")
    await bot.restart()
    await resident.send("My brother uses a wheelchair and needs a ramp.")
    assert "Step 5 of 7" in resident.last_text
    await bot.restart()
    await resident.send("13800138000")
    await resident.press("req:time:weekend")
    await resident.press("req:urg:no")
    assert "wheelchair" in resident.last_text
    await bot.restart()
    await resident.press("req:confirm")
    assert "XC-0001" in resident.last_text


async def test_back_and_edit_keep_what_was_entered(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await fill_request(resident)
    await resident.press("req:back")
    assert "Is it urgent?" in resident.last_text
    await resident.press("req:back")
    await resident.press("req:back")
    assert "Your phone number" in resident.last_text
    await resident.tap("Keep: 138 0013 8000")  # a typed button of its reply keyboard
    assert resident.reply_keyboard() == []
    assert "When does it suit you best?" in resident.last_text
    await resident.press("req:time:weekend")
    await resident.press("req:urg:no")
    await resident.press("req:edit")
    await resident.press("req:ed:description")
    await resident.send("Changed: my father, not my mother.")
    assert "Changed: my father" in resident.last_text and "Step 7 of 7" in resident.last_text
    await resident.press("req:edit")
    await resident.press("req:ed:for_whom")
    await resident.press("req:who:child")
    await resident.press("req:age:0_5")
    assert "A child, 0–5 years" in resident.last_text
    await resident.press("req:confirm")
    assert "JN-0001" in resident.last_text


async def test_cancel_saves_nothing_and_stale_buttons_expire(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/request")
    await consent(resident)
    await resident.press("req:st:jiangnan")
    service_step = resident.last_with_buttons()
    await resident.press("req:cancel")
    assert resident.last_text == "Cancelled. Nothing was saved."  # the one "cancelled"
    await resident.press_data("req:svc:elderly_care", message=service_step)
    assert "expired" in bot.telegram.callback_answers[-1]["text"]
    await resident.send("/request")  # consent is remembered
    assert "Step 1 of 7" in resident.last_text
    await resident.send("/cancel")
    assert resident.last_text == "Cancelled. Nothing was saved."
    assert await count_requests(bot) == 0


async def test_declining_consent_keeps_questions_open(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/request")
    await resident.press("req:cons:no")
    assert "nothing has been saved" in resident.messages[-2].text
    # What to do instead, with the numbers and hours (every station: none was chosen yet).
    assert "Jiangnan Street Social Work Station: 0579-8000 0003, " in resident.messages[-2].text
    await resident.send("How do I get a wheelchair?")
    assert resident.last.buttons  # answered (menu), not a dead end
    await resident.send("/request")
    await resident.press("req:cons:yes")
    await resident.press("req:xb:no")
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Consent)) == 0


async def test_consent_can_be_withdrawn_from_privacy(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/privacy")
    assert "Withdraw my consent" not in str(resident.messages[-1].buttons)
    await resident.send("/request")
    await consent(resident)
    await resident.send("/cancel")
    await resident.send("/privacy")
    await resident.press("Withdraw my consent")
    await resident.press("Yes, withdraw")
    assert "Your consent is withdrawn" in resident.last_text
    await resident.send("/request")
    assert "personal information" in resident.last_text  # asked again


async def test_request_this_service_button_starts_with_the_service(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/start")
    faq_answer = resident.last_with_buttons()
    await resident.press_data("req:start:summer_childcare", message=faq_answer)
    assert faq_answer.edits == 0  # the answer that carried the button stays readable
    await consent(resident)
    await resident.press("req:st:jiangnan")
    assert "Who is the help for?" in resident.last_text  # service already chosen
    await resident.press("req:back")
    assert "What kind of help do you need?" in resident.last_text
    await resident.press("req:svc:summer_childcare")
    await resident.press("req:who:child")
    await resident.press("req:age:6_13")
    await resident.send("Summer care for my 8-year-old.")
    await resident.send_contact()
    await resident.press("req:time:any")
    await resident.press("req:urg:no")
    assert "Little Migratory Birds" in resident.last_text


async def test_worker_of_another_station_cannot_see_or_touch(bot: BotHarness) -> None:
    await bot.person(role="worker", stations=("jiangnan",), lang="en")
    outsider = await bot.person(role="worker", stations=("xicheng",), lang="en")
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    resident = await bot.person(lang="en")
    ref = await make_request(resident, description="Private: my husband hits me.")
    rid = await request_id(bot, ref)
    await outsider.send("/inbox")
    assert "New (0)" in " ".join(outsider.button_labels())
    await outsider.press("ib:sec:new:0")
    assert ref not in outsider.last_text and "Nothing here" in outsider.last_text
    for forged in (f"ib:rq:{rid}", f"ib:acc:{rid}", f"ib:decl:{rid}", f"ib:go:{rid}",
                   f"ib:hand:{rid}", f"ib:to:{rid}:1"):  # fmt: skip
        await outsider.press_data(forged)
        assert "not a request of your station" in bot.telegram.callback_answers[-1]["text"]
    assert all("husband" not in m.text for m in outsider.messages)
    await supervisor.send("/inbox")
    assert (
        supervisor.last_text
        == "Sorry, this is only for social workers and station heads. Send /menu to see what you can use."
    )
    await supervisor.press_data(f"ib:rq:{rid}", message=resident.last)
    assert "not a request of your station" in bot.telegram.callback_answers[-1]["text"]
    async with bot.database.uow() as uow:
        status = await uow.session.scalar(select(ServiceRequest.status))
    assert status == "submitted"


async def test_hand_over_to_a_colleague(bot: BotHarness) -> None:
    first = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    second = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    await second.send("/start")  # staff arrive through /start (an invitation), which names them
    resident = await bot.person(lang="en")
    ref = await make_request(resident)
    await first.press("ib:acc:1")
    await first.press("🤝 Hand over")
    await first.press("Wang")
    assert f"{ref} is now with Wang" in first.last_text
    assert "handed request" in second.last_text
    await second.press("📄 Details")
    await second.press("🔧 Start work")
    assert "In progress" in second.last_text
    await first.press_data("ib:go:1")
    assert "Wang has already accepted" in bot.telegram.callback_answers[-1]["text"]


async def test_inbox_lists_by_status_and_pages(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en")
    residents = [await bot.person(lang="en") for _ in range(3)]
    for resident in residents:
        for n in range(3):
            await make_request(resident, first_time=n == 0)
    await worker.send("/inbox")
    assert worker.button_labels()[0] == "🆕 New (9)"
    await worker.press("ib:sec:new:0")
    assert len([b for b in worker.last.buttons if b.callback_data.startswith("ib:rq:")]) == 8
    await worker.press("Next ›")
    assert len([b for b in worker.last.buttons if b.callback_data.startswith("ib:rq:")]) == 1
    await head.send("/inbox")
    assert head.button_labels()[0] == "🆕 New (9)"
    await head.press("ib:sec:new:0")
    await head.press(1)
    await head.press("✅ Accept")
    await head.press("« Inbox")
    assert "✅ Accepted (1)" in head.button_labels()


async def test_bench_scenario_drives_a_whole_request(bot: BotHarness) -> None:
    resident = await bot.person(lang="zh")
    assert scenario_request.NAME == "request" and scenario_request.ROLE is None
    first = await scenario_request.run_once(resident, 0)
    second = await scenario_request.run_once(resident, 1)
    assert (first, second) == (12, 10)
    assert await count_requests(bot) == 2
    async with bot.database.uow() as uow:
        refs = sorted((await uow.session.scalars(select(ServiceRequest.ref))).all())
    assert refs == ["DC-0001", "FY-0001"]  # iteration i → the i-th station in code order


async def test_unexpected_input_at_button_steps_is_asked_again(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/request")
    await consent(resident)
    await resident.send_location()  # the kit's one "please press a button"
    assert resident.last_text.startswith("Please choose one of the buttons.")
    await resident.send("江南")  # typed instead of pressed
    assert resident.last_text.startswith("Please choose one of the buttons.")
    await resident.press_data("req:st:atlantis")  # forged: not a station
    assert "Step 1 of 7" in resident.last_text
    await resident.press("req:st:jiangnan")
    await resident.press("req:svc:other")
    await resident.press("req:who:child")
    await resident.press_data("req:age:80_plus")  # not an age group for a child
    assert "How old is the child?" in resident.last_text
    assert not any("went wrong" in m.text for m in resident.messages)


async def test_staff_see_erased_instead_of_personal_details(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person(lang="en")
    ref = await make_request(resident, description="Private details here.")
    async with bot.database.uow() as uow:
        row = await uow.session.scalar(select(ServiceRequest).where(ServiceRequest.ref == ref))
        assert row is not None
        row.erased, row.description, row.phone = True, None, None
        await uow.commit()
    await worker.press(f"ib:rq:{await request_id(bot, ref)}")
    assert "erased at the resident's request" in worker.last_text
    assert "Private details" not in worker.last_text and "138 0013 8000" not in worker.last_text


# --- issue 11 item 2: what is committed is announced, whatever Telegram does ----------------


def fail(method: str, times: int = 1, chat_id: int | None = None) -> object:
    """A fault hook: Telegram answers `method` (to `chat_id`, when given) with a 500 `times`."""
    left = [times]

    def hook(endpoint: str, params: dict[str, object]) -> TelegramRefusal | None:
        if endpoint != method or left[0] <= 0:
            return None
        if chat_id is not None and str(params.get("chat_id")) != str(chat_id):
            return None
        left[0] -= 1
        return TelegramRefusal(500, "Internal Server Error")

    return hook


async def ledger(bot: BotHarness) -> list[tuple[int, str]]:
    async with bot.database.uow() as uow:
        rows = (await uow.session.execute(select(Delivery.recipient_tg_id, Delivery.status))).all()
    return [(int(r), str(s)) for r, s in rows]


async def test_confirm_whose_edit_fails_still_answers_and_tells_the_station(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person(lang="en")
    await fill_request(resident)
    summary = resident.last_with_buttons()
    bot.telegram.fault_hook = fail("editMessageText")  # type: ignore[assignment]
    await resident.press("req:confirm")
    bot.telegram.fault_hook = None
    assert "JN-0001" in resident.last_text and "/myrequests" in resident.last_text  # anew
    assert "New request for your station" in worker.last_text
    assert await ledger(bot) == [(worker.user_id, "sent")]
    # The draft was consumed: the old summary's Confirm makes no second request, and
    # /request starts fresh.
    await resident.press_data("req:confirm", message=summary)
    assert await count_requests(bot) == 1
    await resident.send("/request")
    assert "Step 1 of 7" in resident.last_text


async def test_confirm_whose_answer_fails_entirely_ends_cleanly(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person(lang="en")
    await fill_request(resident)
    summary = resident.last_with_buttons()
    edit = fail("editMessageText")
    sends = fail("sendMessage", times=3, chat_id=resident.user_id)

    def both(endpoint: str, params: dict[str, object]) -> object:
        return edit(endpoint, params) or sends(endpoint, params)  # type: ignore[operator]

    bot.telegram.fault_hook = both  # type: ignore[assignment]
    await resident.press("req:confirm")
    bot.telegram.fault_hook = None
    # The error handler answers the press a second time (issue 11 item 4, kit/errors.py, not
    # this journey): leave that answer out of the one-answer-per-press check.
    bot.telegram.callback_answers.pop()
    assert await count_requests(bot) == 1
    # The station's notice was recorded before the answer failed: the outbox sends it.
    assert await ledger(bot) == [(worker.user_id, "planned")]
    assert bot.app is not None
    await bot.app.bot_data.outbox.deliver_pending()
    assert "New request for your station" in worker.last_text
    # The conversation is still on the summary, but its draft is gone: a press says so.
    await resident.press_data("req:confirm", message=summary)
    assert "already ended" in resident.last_text
    assert await count_requests(bot) == 1
    await resident.send("/request")
    assert "Step 1 of 7" in resident.last_text


async def test_accept_whose_edit_fails_still_answers_and_tells_the_resident(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person(lang="en")
    ref = await make_request(resident)
    bot.telegram.fault_hook = fail("editMessageText")  # type: ignore[assignment]
    await worker.press("ib:acc:1")
    bot.telegram.fault_hook = None
    assert f"You have accepted {ref}" in worker.last_text
    assert "✅ Accept" not in worker.button_labels()
    assert f"accepted your request {ref}" in resident.last_text
    statuses = sorted(s for _, s in await ledger(bot))
    assert statuses == ["sent", "sent"]  # the station's notice and the resident's


async def test_a_request_half_way_in_the_earlier_release_continues(bot: BotHarness) -> None:
    """The state row and draft exactly as the release before the Flow kit wrote them."""
    resident = await bot.person(lang="en")
    await resident.send("/request")
    await consent(resident)
    await resident.send("/cancel")
    await bot.stop()
    chat = json.dumps([resident.user_id, resident.user_id])
    async with bot.database.uow() as uow:
        await uow.session.merge(
            PersistedState(kind="conversation:service_request", key=chat, data="phone")
        )
        await uow.session.merge(
            PersistedState(
                kind="user",
                key=str(resident.user_id),
                data={
                    "lang": "en",
                    "request": {
                        "id": "0123456789abcdef0123456789abcdef",
                        "last_station": None,
                        "service": "elderly_care",
                        "preset": False,
                        "station": "xicheng",
                        "for_whom": "family",
                        "age": "80_plus",
                        "description": "Grandpa needs meals.",
                        "state": "phone",
                        "editing": False,
                    },
                },
            )
        )
        await uow.commit()
    await bot.start()
    for person in bot._people:
        person.app = bot.app  # type: ignore[assignment]
    await resident.send("13800138000")
    assert "When does it suit you best?" in resident.last_text
    await resident.press("req:time:any")
    await resident.press("req:urg:no")
    assert "Grandpa needs meals." in resident.last_text
    await resident.press("req:confirm")
    assert "XC-0001" in resident.last_text


async def test_forged_ids_are_refused_by_the_codec_and_change_nothing(bot: BotHarness) -> None:
    """40-digit ids (past a database integer) and letters: the codec's int_arg refuses them
    before any query; the person is told and nothing in the database changes."""
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person(lang="en")
    await make_request(resident)
    huge = "9" * 40
    for forged in (f"ib:acc:{huge}", f"ib:rq:{huge}", f"ib:go:{huge}", f"ib:to:1:{huge}"):
        await worker.press_data(forged)
        answer = bot.telegram.callback_answers[-1]
        assert answer.get("show_alert") and answer["text"], forged
    for forged in (f"my:cx:{huge}", f"my:cxy:{huge}", f"rate:{huge}:5"):
        await resident.press_data(forged)
        assert bot.telegram.callback_answers[-1]["text"], forged
    assert not any("went wrong" in m.text for m in worker.messages + resident.messages)
    async with bot.database.uow() as uow:
        row = await uow.session.get(ServiceRequest, 1)
        assert row is not None and (row.status, row.rating, row.assignee_id) == (
            "submitted", None, None,
        )  # fmt: skip


async def test_staff_read_the_card_from_their_side_and_closed_lists_say_see_only(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="zh")
    resident = await bot.person(lang="en")
    await resident.send("/request")
    await consent(resident)
    await resident.press("req:st:jiangnan")
    await resident.press("req:svc:other")
    await resident.press("req:who:myself")
    await resident.press("req:age:60_79")
    await resident.send("I need help with forms.")
    await resident.send("0579-8712 3456")
    await resident.press("req:time:any")
    await resident.press("req:urg:no")
    assert "For: Myself" in resident.last_text  # the resident's own words
    await resident.press("req:confirm")
    assert "服务对象：申请人本人" in worker.last_text  # the worker's side
    assert "0579-8712 3456" in worker.last_text
    await resident.send("/myrequests")
    await resident.press("my:cx:1")
    await resident.press("my:cxy:1")
    await worker.send("/inbox")
    await worker.press("ib:sec:closed:0")
    assert "点一个申请查看详情。" in worker.last_text
