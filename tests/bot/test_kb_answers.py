"""What people see of the knowledge base's rules (issue 13): emergencies answered with the numbers
everywhere, mid-conversation too, the conversation left where it was; the numbers line on every
"did you mean" and hand-off screen; small talk answered with the menu; "my request" and "my
application" answered with the person's own status; a question typed at a button step answered
and the step shown again."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import ServiceRequest
from tests.harness import BotHarness

ZH_LINE = "🆘 紧急求助：110 报警，120 急救，12355 青少年服务热线"
EN_LINE = "🆘 Emergency: 110 police, 120 ambulance, 12355 youth hotline"


pytestmark = pytest.mark.usefixtures("each_press_answered_once")


def data_of(person: OfflinePerson) -> list[str]:
    return [b.callback_data or "" for b in person.last_with_buttons().buttons]


def has_numbers(text: str) -> bool:
    return all(number in text for number in ("110", "120", "12355"))


async def start_request(person: OfflinePerson) -> None:
    await person.send("/request")
    await person.press("req:cons:yes")
    await person.press("req:xb:yes")
    await person.press("req:st:jiangnan")
    await person.press("req:svc:elderly_care")


async def finish_request(person: OfflinePerson) -> str:
    await person.send_contact("+8613800138000")
    await person.press("req:time:weekday_morning")
    await person.press("req:urg:no")
    await person.press("req:confirm")
    found = re.search(r"[A-Z]{2}-\d{4}", person.last_text)
    assert found, person.last_text
    return found.group(0)


# --- 1. emergencies win everywhere ------------------------------------------------------------


async def test_an_emergency_mid_request_gets_the_numbers_and_the_request_goes_on(
    bot: BotHarness,
) -> None:
    resident = await bot.person()
    await start_request(resident)
    assert "req:who:family" in data_of(resident)
    before = len(resident.messages)
    await resident.send("我妈摔倒了起不来")  # at a button step
    numbers, step = resident.messages[before:]
    assert has_numbers(numbers.text) and not numbers.buttons
    assert "req:who:family" in [b.callback_data for b in step.buttons]  # the same step again
    assert "req:cancel" in [b.callback_data for b in step.buttons]
    await resident.press("req:who:family")
    await resident.press("req:age:80_plus")
    # At the description step the text may be the answer: numbers, and "send it again".
    description = "爷爷摔倒了起不来了，想请人上门照顾"
    await resident.send(description)
    numbers, step = resident.messages[-2:]
    assert has_numbers(numbers.text)
    assert step.text.startswith("如果刚才打的字是这一步的回答，请再发送一次。")
    await resident.send(description)  # the same again: taken as the description
    assert any(b.request_contact for b in resident.reply_keyboard())  # the phone step
    ref = await finish_request(resident)
    columns = (
        ServiceRequest.station_code,
        ServiceRequest.service_code,
        ServiceRequest.for_whom,
        ServiceRequest.age_group,
        ServiceRequest.description,
    )
    async with bot.database.uow() as uow:
        row = (await uow.session.execute(select(*columns).where(ServiceRequest.ref == ref))).one()
    # The draft was kept across both emergencies.
    assert tuple(row) == ("jiangnan", "elderly_care", "family", "80_plus", description)


async def test_an_emergency_in_english_mid_volunteer_sign_up(bot: BotHarness) -> None:
    person = await bot.person(lang="en")
    await person.send("/volunteer")
    age_step = person.last
    before = len(person.messages)
    await person.send("my mother fell and cannot get up")
    numbers, step = person.messages[before:]
    assert has_numbers(numbers.text) and "ambulance" in numbers.text
    assert [b.callback_data for b in step.buttons] == [b.callback_data for b in age_step.buttons]
    assert step.text == age_step.text  # a button step: shown again as it was


async def test_an_emergency_as_free_text_gets_the_numbers_not_votes(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("我爸晕倒了叫不醒")
    assert has_numbers(resident.last_text)
    data = data_of(resident)
    assert not any(d.startswith(("kb:up:", "kb:dn:")) for d in data)
    assert "menu:menu" in data
    english = await bot.person(lang="en")
    await english.send("someone fainted what do i do")
    assert has_numbers(english.last_text) and "ambulance" in english.last_text
    assert "👍" not in english.button_labels()


async def test_an_emergency_in_a_reply_to_the_station_is_sent_and_answered(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person()
    await resident.send("明天天气怎么样")
    await resident.press("好的，转给社工")
    await resident.press("✅ 同意")  # the notice before a question first goes to a person
    await resident.press("江南街道社工站")
    await worker.press("✍️ Reply")
    await worker.send("Please tell me more.")
    await resident.press("✍️ 回复")
    before = len(resident.messages)
    await resident.send("我爸刚才晕倒了叫不醒")
    numbers, sent = resident.messages[before:]
    assert has_numbers(numbers.text)
    assert sent.text == "✅ 已发送。"
    assert "我爸刚才晕倒了叫不醒" in worker.last_text  # the reply went to the station all the same


# --- 2. the numbers line on suggestions and hand-offs ---------------------------------------


@pytest.mark.parametrize(
    ("lang", "vague", "line"), [("zh", "培训", ZH_LINE), ("en", "training", EN_LINE)]
)
async def test_did_you_mean_carries_the_numbers_line(
    bot: BotHarness, lang: str, vague: str, line: str
) -> None:
    resident = await bot.person(lang=lang)
    await resident.send(vague)
    assert any(d.startswith("kb:show:") for d in data_of(resident))  # it is a suggestion
    assert resident.last_text.endswith(line)


@pytest.mark.parametrize(
    ("lang", "unknown", "yes", "line"),
    [
        ("zh", "明天天气怎么样", "好的，转给社工", ZH_LINE),
        ("en", "what is the weather tomorrow", "📨 Yes, ask a social worker", EN_LINE),
    ],
)
async def test_hand_off_screens_carry_the_numbers_line(
    bot: BotHarness, lang: str, unknown: str, yes: str, line: str
) -> None:
    resident = await bot.person(lang=lang)
    await resident.send(unknown)
    assert any(d.startswith("kb:human:") for d in data_of(resident))  # the offer
    assert resident.last_text.endswith(line)
    await resident.press(yes)
    await resident.press("✅ 同意" if lang == "zh" else "✅ Agree")  # asked once, before the first
    assert any(d.startswith("kb:st:") for d in data_of(resident))  # which station
    assert resident.last_text.endswith(line)
    await resident.press_data(data_of(resident)[0])
    assert resident.last_text.startswith("✅")  # passed on
    assert resident.last_text.endswith(line)


async def test_not_passing_it_on_after_all_still_shows_the_numbers(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("明天天气怎么样")
    await resident.press("好的，转给社工")
    await resident.press("✅ 同意")
    await resident.press_data("kb:x")
    assert resident.last_text.endswith(ZH_LINE)


async def test_thumbs_down_offer_carries_the_numbers_line(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("社工站几点开门")
    await resident.press("👎")
    assert "转给社工" in resident.last_text and resident.last_text.endswith(ZH_LINE)


# --- 3. small talk ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "said", "answer", "menu"),
    [("zh", "谢谢", "不客气", "🏠 主菜单"), ("zh", "谢谢你", "不客气", "🏠 主菜单"),
     ("en", "thank you", "You're welcome", "🏠 Main menu")],
)  # fmt: skip
async def test_small_talk_is_answered_with_the_menu_only(
    bot: BotHarness, lang: str, said: str, answer: str, menu: str
) -> None:
    resident = await bot.person(lang=lang)
    await resident.send(said)
    assert resident.last_text.startswith(answer)
    assert resident.button_labels() == [menu]
    await resident.press(menu)
    assert "menu:ask" in data_of(resident)  # the menu itself


# --- 4. "my request", "my application" ---------------------------------------------------------


async def test_my_request_without_any(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("查一下我的申请")
    assert "您还没有提交过申请。" in resident.last_text
    assert "menu:request" in data_of(resident)
    english = await bot.person(lang="en")
    await english.send("How do I follow my request?")
    assert "You have not made any requests yet." in english.last_text
    assert "🙋 Ask for a service" in english.button_labels()


async def test_my_request_lists_the_open_ones_with_their_status(bot: BotHarness) -> None:
    resident = await bot.person()
    await start_request(resident)
    await resident.press("req:who:family")
    await resident.press("req:age:80_plus")
    await resident.send("我妈妈82岁，一个人住")
    ref = await finish_request(resident)
    await resident.send("我申请的事办得怎么样了")
    text = resident.last_text
    assert "正在办理的申请：" in text and ref in text and "🆕 已提交" in text
    assert f"{ref} · 老年人生活照料 · 🆕 已提交" in text
    assert "menu:myrequests" in data_of(resident)
    assert "👍" in resident.button_labels()  # still a knowledge-base answer, rated
    await resident.press("📋 我的申请")
    assert ref in resident.last_text  # /myrequests


async def test_my_request_when_none_is_open(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await start_request(resident)
    await resident.press("req:who:family")
    await resident.press("req:age:80_plus")
    await resident.send("My mother is 82 and lives alone.")
    ref = await finish_request(resident)
    await resident.send("/myrequests")
    await resident.press(f"✖ Cancel {ref}")
    await resident.press("Yes, cancel it")
    await resident.send("How do I follow my request?")
    assert "None of your requests is open at the moment." in resident.last_text
    assert ref not in resident.last_text
    assert "menu:myrequests" in data_of(resident)


async def test_my_volunteer_application_with_and_without_one(bot: BotHarness) -> None:
    person = await bot.person(lang="en")
    await person.send("was my volunteer application approved")
    assert "You have not applied to be a volunteer yet." in person.last_text
    assert "🙋 Sign up as a volunteer" in person.button_labels()
    await person.press("🙋 Sign up as a volunteer")
    await person.press("vol:age:18_59")
    await person.press("vol:cons:yes")
    await person.press("vol:xb:yes")
    await person.send("Wang Xiaoming")
    await person.send_contact("+8613800138000")
    await person.press("vol:st:jiangnan")
    await person.press("vol:sk:tutoring")
    await person.press("vol:skd")
    await person.press("vol:av:weekends")
    await person.press("vol:avd")
    await person.press("vol:party:undisclosed")
    await person.press("vol:confirm")
    await person.send("was my volunteer application approved")
    assert "Your volunteer application (Jiangnan" in person.last_text
    assert "⏳ Waiting for the station's decision" in person.last_text
    await person.press("📄 My application")
    assert "Withdraw my application" in person.button_labels()  # the status view of /volunteer
    chinese = await bot.person()
    await chinese.send("我报名当志愿者审核过了没有")
    assert "您还没有报名当志愿者。" in chinese.last_text


# --- 5. a question at a button step -------------------------------------------------------------


async def test_a_question_at_a_button_step_is_answered_and_the_step_shown_again(
    bot: BotHarness,
) -> None:
    resident = await bot.person()
    await resident.send("/request")
    await resident.press("req:cons:yes")
    await resident.press("req:xb:yes")
    station_step = resident.last
    before = len(resident.messages)
    await resident.send("社工站几点开门")
    answer, step = resident.messages[before:]
    assert "开放时间" in answer.text  # answered as outside a form: rated, a person offered
    answered_with = [b.callback_data or "" for b in answer.buttons]
    assert answered_with[:2] == ["kb:up:station_hours:1", "kb:dn:station_hours:1"]
    assert answered_with[-1] == "kb:human:1" and "kb:show:station_contacts:1" in answered_with
    assert step.text == "请点下面的按钮选择。\n\n" + station_step.text  # the step, re-asked
    assert [b.callback_data for b in step.buttons] == [
        b.callback_data for b in station_step.buttons
    ]
    await resident.press("req:st:jiangnan")  # and the request goes on
    assert "req:svc:elderly_care" in data_of(resident)


async def test_at_a_button_step_small_talk_and_vague_text_are_re_asked(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/request")
    await resident.press("req:cons:yes")
    await resident.press("req:xb:yes")
    for said in ("ok", "training"):
        before = len(resident.messages)
        await resident.send(said)
        (step,) = resident.messages[before:]
        assert step.text.startswith("Please choose one of the buttons.")
        assert "req:st:jiangnan" in [b.callback_data for b in step.buttons]
