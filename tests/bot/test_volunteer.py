"""/volunteer: sign-up, the station's decision, minors, status and withdrawal."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bot.offline_telegram import OfflinePerson
from db.models import Consent, PersistedState, VolunteerApplication
from tests.harness import BotHarness

pytestmark = pytest.mark.usefixtures("each_press_answered_once")


async def sign_up(
    person: OfflinePerson, *, age: str = "18_59", name: str = "Wang Xiaoming"
) -> None:
    """Everything up to (not including) the final confirmation."""
    await person.send("/volunteer")
    await person.press(f"vol:age:{age}")
    if any(b.callback_data == "vol:cons:yes" for b in person.last_with_buttons().buttons):
        await person.press("vol:cons:yes")
        await person.press("vol:xb:yes")
    await person.send(name)
    await person.send_contact("+8613800138000")
    if age == "14_17":
        await person.send("Wang Mama")
        await person.send("0579-8000 0001")
    await person.press("vol:st:jiangnan")
    await person.press("vol:sk:tutoring")
    await person.press("vol:sk:digital_help")
    await person.press("vol:skd")
    await person.press("vol:av:weekends")
    await person.press("vol:avd")
    if age != "14_17":
        await person.press("vol:party:undisclosed")


async def applications(bot: BotHarness) -> int:
    async with bot.database.uow() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(VolunteerApplication))
    return int(count or 0)


async def test_volunteer_approved_from_the_notification(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    person = await bot.person(lang="en")
    await sign_up(person, name="Xiao <Ming> & *friends*")
    summary = person.last_text
    assert "Please check your application" in summary
    assert "Xiao <Ming> & *friends*" in summary
    assert "Tutoring children" in summary and "Weekends" in summary
    assert "Prefer not to say" in summary
    await person.press("vol:confirm")
    assert "Your application has gone to Jiangnan" in person.last_text
    assert "New volunteer application" in worker.last_text
    assert "Xiao <Ming> & *friends*" in worker.last_text and "138 0013 8000" in worker.last_text
    await worker.press("✅ Approve")
    assert "Approved" in worker.last_text
    assert "approved your volunteer application" in person.last_text
    await worker.press_data("ib:vok:1")
    assert "already been decided" in bot.telegram.callback_answers[-1]["text"]

    await person.send("/volunteer")  # later: the status, and a way out
    assert "✅ Approved" in person.last_text
    await person.press("Withdraw my application")
    await person.press("Yes, withdraw")
    assert "withdrawn" in person.last_text
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(VolunteerApplication.status)) == "withdrawn"


async def test_volunteer_declined_from_the_inbox_with_a_reason(bot: BotHarness) -> None:
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en")
    person = await bot.person(lang="zh")
    await sign_up(person)
    await person.press("vol:confirm")
    await head.send("/inbox")
    assert "🤝 Volunteer applications (1)" in head.button_labels()
    await head.press("ib:sec:volunteers:0")
    await head.press(1)
    assert "Wang Xiaoming" in head.last_text
    await head.press("✖ Do not approve")
    await head.send("We have enough tutors this term.")
    await head.press("ibn:ok")
    assert "Declined" in head.last_text
    assert "We have enough tutors this term." in person.last_text
    await person.send("/volunteer")  # declined: may apply again
    assert person.button_labels()[0] == "Under 14" or "vol:age:under_14" in [
        b.callback_data for b in person.last.buttons
    ]


async def test_decline_without_a_reason(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    person = await bot.person(lang="en")
    await sign_up(person)
    await person.press("vol:confirm")
    await worker.press("✖ Do not approve")
    await worker.press("Decline without a reason")
    assert "Declined" in worker.last_text
    assert "has not approved your volunteer application" in person.last_text
    assert "Reason" not in person.last_text


async def test_children_under_14_are_told_and_nothing_is_stored(bot: BotHarness) -> None:
    child = await bot.person(lang="en")
    await child.send("/volunteer")
    await child.press("vol:age:under_14")
    assert "parent or guardian" in child.last_text
    assert "Nothing has been saved" in child.last_text
    assert "Phone and opening hours:" in child.last_text and "0579-8000 0003" in child.last_text
    await bot.restart()  # flushes what the bot keeps about the conversation
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Consent)) == 0
        stored = (await uow.session.scalars(select(PersistedState.data))).all()
    assert all("volunteer" not in (data or {}) for data in stored)
    assert await applications(bot) == 0


async def test_volunteers_of_14_to_17_need_a_guardian(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    teen = await bot.person(lang="en")
    await teen.send("/volunteer")
    await teen.press("vol:age:14_17")
    await teen.press("vol:cons:yes")
    await teen.press("vol:xb:yes")
    await teen.send("Xiaohong")
    await teen.send_contact()
    assert "name of your parent or guardian" in teen.last_text
    await teen.send_photo()
    assert teen.last_text.startswith("Please type your answer as text")  # the kit's one re-ask
    await teen.send("Wang Mama")
    await teen.send("not a number")
    assert "0579-8712 3456" in teen.last_text  # an example of a landline
    await teen.send("0579-8000 0001")
    await teen.press("vol:st:jiangnan")
    await teen.press("vol:sk:event_help")
    await teen.press("vol:skd")
    await teen.press("vol:av:weekends")
    await teen.press("vol:avd")
    assert "Guardian: Wang Mama, 0579-8000 0001" in teen.last_text
    assert "Party member" not in teen.last_text  # not asked under 18
    await teen.press("vol:confirm")
    assert "Guardian: Wang Mama" in worker.last_text


async def test_skill_toggles_edit_the_message(bot: BotHarness) -> None:
    person = await bot.person(lang="en")
    await person.send("/volunteer")
    await person.press("vol:age:60_plus")
    await person.press("vol:cons:yes")
    await person.press("vol:xb:yes")
    await person.send("Grandpa Zhang")
    await person.send("13800138000")
    await person.press("vol:st:jiangnan")
    skills = person.last_with_buttons()
    await person.press("vol:skd")  # nothing chosen yet
    assert "at least one" in bot.telegram.callback_answers[-1]["text"]
    await person.press("vol:sk:crafts")
    assert "☑️ Crafts" in person.button_labels()
    await person.press("vol:sk:crafts")  # twice: back to unchecked, no "not modified" error
    assert "◻️ Crafts" in person.button_labels()
    await person.press("vol:sk:crafts")
    await person.press_data("vol:sk:nonsense")  # a forged code changes nothing, no crash
    # The station choice and the three toggles edited it; the forged code did not.
    assert person.last_with_buttons() is skills and skills.edits == 4
    assert not any("went wrong" in m.text for m in person.messages)
    await person.press("vol:skd")
    assert "When are you usually free?" in person.last_text


async def test_name_too_long_and_back_keeps_it(bot: BotHarness) -> None:
    person = await bot.person(lang="en")
    await person.send("/volunteer")
    await person.press("vol:age:18_59")
    await person.press("vol:cons:yes")
    await person.press("vol:xb:yes")
    await person.send("名" * 65)
    assert "65 characters" in person.last_text
    await person.send("Li Lei 😊")
    await person.press("vol:back")
    assert "Your name" in person.last_text
    await person.press("Keep: Li Lei 😊")
    assert any(b.request_contact for b in person.reply_keyboard())


async def test_one_active_application_and_cancel_saves_nothing(bot: BotHarness) -> None:
    person = await bot.person(lang="en")
    await person.send("/volunteer")
    await person.press("vol:age:18_59")
    await person.press("vol:cons:yes")
    await person.press("vol:xb:yes")
    await person.send("/cancel")
    assert person.last_text == "Cancelled. Nothing was saved."  # the one "cancelled"
    assert await applications(bot) == 0
    await sign_up(person)
    await person.press("vol:confirm")
    await person.send("/volunteer")
    assert "Waiting for the station's decision" in person.last_text
    assert await applications(bot) == 1


async def test_worker_of_another_station_cannot_decide(bot: BotHarness) -> None:
    await bot.person(role="worker", stations=("jiangnan",), lang="en")
    outsider = await bot.person(role="worker", stations=("xicheng",), lang="en")
    person = await bot.person(lang="en")
    await sign_up(person)
    await person.press("vol:confirm")
    await outsider.send("/inbox")
    assert "🤝 Volunteer applications (0)" in outsider.button_labels()
    for forged in ("ib:vol:1", "ib:vok:1", "ib:vno:1"):
        await outsider.press_data(forged)
        assert "not an application to your station" in bot.telegram.callback_answers[-1]["text"]
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(VolunteerApplication.status)) == "pending"


async def test_restart_in_the_middle_of_volunteering(bot: BotHarness) -> None:
    person = await bot.person(lang="en")
    await person.send("/volunteer")
    await person.press("vol:age:18_59")
    await person.press("vol:cons:yes")
    await person.press("vol:xb:yes")
    await person.send("Han Meimei")
    await bot.restart()
    await person.send("13800138000")
    await person.press("vol:st:xicheng")
    assert "What can you offer?" in person.last_text


async def test_an_application_half_way_in_the_earlier_release_continues(bot: BotHarness) -> None:
    """The state row and draft exactly as the release before the Flow kit wrote them."""
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    person = await bot.person(lang="en")
    await person.send("/volunteer")
    await person.press("vol:age:14_17")
    await person.press("vol:cons:yes")
    await person.press("vol:xb:yes")
    await person.send("/cancel")
    await bot.stop()
    async with bot.database.uow() as uow:
        await uow.session.merge(
            PersistedState(
                kind="conversation:volunteer",
                key=json.dumps([person.user_id, person.user_id]),
                data="skills",
            )
        )
        await uow.session.merge(
            PersistedState(
                kind="user",
                key=str(person.user_id),
                data={
                    "lang": "en",
                    "volunteer": {
                        "id": "fedcba9876543210fedcba9876543210",
                        "last_station": None,
                        "skills": ["tutoring"],
                        "availability": [],
                        "age": "14_17",
                        "name": "Xiaohong",
                        "phone": "+8613800138000",
                        "guardian_name": "Wang Mama",
                        "guardian_phone": "+8657980000001",
                        "station": "jiangnan",
                        "state": "skills",
                    },
                },
            )
        )
        await uow.commit()
    await bot.start()
    for someone in bot._people:
        someone.app = bot.app  # type: ignore[assignment]
    await person.send_sticker()  # anything: the step the person is on, with its buttons
    assert "What can you offer?" in person.last_text and "☑️ Tutoring children" in str(
        person.button_labels()
    )
    await person.press("vol:skd")
    assert "When are you usually free?" in person.last_text
    await person.press("vol:av:weekends")
    await person.press("vol:avd")
    assert "Guardian: Wang Mama" in person.last_text and "Party member" not in person.last_text
    await person.press("vol:confirm")
    assert "Your application has gone to Jiangnan" in person.last_text
    assert "Xiaohong" in worker.last_text


async def test_a_teenager_is_spoken_to_as_you_throughout_an_adult_as_nin(bot: BotHarness) -> None:
    """WORDING.md: 你 for children and teenagers, 您 for adults, never both to one person."""
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="zh")
    teen = await bot.person(lang="zh")
    await teen.send("/volunteer")
    before = len(teen.messages)
    await sign_up(teen, age="14_17", name="小红")
    await teen.press("vol:confirm")
    await worker.press("ib:vok:1")  # the decision reaches the teenager in the same register
    assert "欢迎你" in teen.last_text
    # Everything after the age screen (which asks 请选择您的年龄段： before the age is known).
    said = [m.text for m in teen.messages[before - 1 :] if "年龄段：" not in m.text]
    assert all("您" not in text for text in said), [t for t in said if "您" in t]
    assert any("你的姓名" in text for text in said)
    adult = await bot.person(lang="zh")
    await sign_up(adult)
    assert "请核对您的报名信息" in adult.last_text
