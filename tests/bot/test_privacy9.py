"""Privacy, round 9. A question for a station with nobody on the bot goes to the civil-affairs
bureau's staff, and the resident is told so before agreeing and after it is sent; a station
with a worker is as before. A request accepted after the resident's /forget: the worker hears
there is no phone, the resident is not promised a call."""

from __future__ import annotations

from sqlalchemy import update

from bot.offline_telegram import OfflinePerson
from db.models import Person
from tests.harness import BotHarness

QUESTION = "我儿子离婚了孙子没人管，我腿又不好，住在东城下园路12号，电话13800138000"


async def pass_on(resident: OfflinePerson, station: str) -> str:
    """Pass the question on to `station`; the notices the resident read before agreeing."""
    await resident.press("kb:human:1")
    notices = [resident.last_text]  # the first notice (the station is not known yet)
    await resident.press(1)  # ✅ Agree
    await resident.press(f"kb:st:1:{station}")
    if "kb:agree" in str(resident.last.inline_keyboard):
        notices.append(resident.last_text)  # asked again: who would really read it
        await resident.press(1)  # ✅ Agree
    return "\n".join(notices)


async def test_a_station_without_staff_is_named_as_the_bureau_in_chinese(bot: BotHarness) -> None:
    admin = await bot.person(role="admin", name="刘科长")
    resident = await bot.person(name="王阿姨")
    await resident.send(QUESTION)
    notice = await pass_on(resident, "dongcheng")
    assert "东城街道社工站还没有社工使用本助手" in notice
    assert "民政局工作人员" in notice and "您同意吗？" in notice
    assert "已转给民政局工作人员，由他们转告东城街道社工站" in resident.last_text
    assert "社工会在这里回复您" not in resident.last_text
    assert admin.last_text.startswith("❓") and "13800138000" in admin.last_text


async def test_a_station_without_staff_is_named_as_the_bureau_in_english(bot: BotHarness) -> None:
    admin = await bot.person(role="admin", lang="en", name="Liu")
    resident = await bot.person(lang="en", name="Ann")
    await resident.send("Who looks after my grandson when his father divorced?")
    notice = await pass_on(resident, "dongcheng")
    assert "no social worker using this assistant yet" in notice
    assert "staff of the civil affairs bureau" in notice
    assert "passed to the staff of the civil affairs bureau, for" in resident.last_text
    assert "A social worker will answer" not in resident.last_text
    assert admin.last_text.startswith("❓ New question")


async def test_a_station_with_a_worker_is_unchanged(bot: BotHarness) -> None:
    admin = await bot.person(role="admin")
    for lang, sees, sent in (
        ("zh", "社工站的社工会看到您的问题", "社工会在这里回复您"),
        ("en", "a social worker of your station will read", "A social worker will answer here"),
    ):
        worker = await bot.person(role="worker", stations=("dongcheng",), lang=lang)
        resident = await bot.person(lang=lang)
        await resident.send(QUESTION)
        notice = await pass_on(resident, "dongcheng")
        assert sees in notice
        assert sent in resident.last_text and "民政局" not in resident.last_text
        assert "bureau" not in resident.last_text
        assert worker.last_text.startswith("❓")
    assert not admin.messages


async def test_agreed_for_a_worker_then_the_bureau_asks_again(bot: BotHarness) -> None:
    """The consent for the station's workers does not cover the bureau: asked once more."""
    await bot.person(role="worker", stations=("jiangnan",))
    admin = await bot.person(role="admin")
    resident = await bot.person()
    await resident.send(QUESTION)
    await pass_on(resident, "jiangnan")
    await resident.send("推荐一支股票")
    await resident.press("kb:human:2")  # the station is remembered: jiangnan, no notice
    assert "已转给江南街道社工站" in resident.last_text
    await resident.send("明天天气怎么样")
    async with bot.database.uow() as uow:  # as if they had last dealt with Dongcheng
        await uow.session.execute(update(Person).values(last_station_code="dongcheng"))
        await uow.commit()
    await resident.press("kb:human:3")
    assert "东城街道社工站还没有社工使用本助手" in resident.last_text
    assert not admin.messages  # nothing went before the answer
    await resident.press(1)  # ✅ Agree
    assert "已转给民政局工作人员" in resident.last_text
    assert admin.last_text.startswith("❓")


async def request_then_forget(bot: BotHarness, lang: str) -> tuple[OfflinePerson, OfflinePerson]:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang=lang)
    resident = await bot.person(lang=lang)
    await resident.send("/request")
    await resident.press("req:cons:yes")
    await resident.press("req:xb:yes")
    await resident.press("req:st:jiangnan")
    await resident.press("req:svc:elderly_care")
    await resident.press("req:who:family")
    await resident.press("req:age:80_plus")
    await resident.send("Mum needs help with shopping twice a week")
    await resident.send_contact("+8613800138000")
    await resident.press("req:time:weekday_morning")
    await resident.press("req:urg:no")
    await resident.press("req:confirm")
    await resident.send("/forget")
    await resident.press("forget:yes")
    return worker, resident


async def test_accepting_after_forget_promises_no_call(bot: BotHarness) -> None:
    worker, resident = await request_then_forget(bot, "zh")
    await worker.press("ib:acc:1")
    assert "您已受理 JN-0001，已通知居民。" in worker.last_text
    assert "居民已删除个人信息，没有电话可以联系" in worker.last_text
    assert "已经受理了您的申请 JN-0001。您的个人信息已删除" in resident.last_text
    assert "很快会和您联系" not in resident.last_text

    worker, resident = await request_then_forget(bot, "en")
    await worker.press("ib:acc:2")
    assert "You have accepted JN-0002" in worker.last_text
    assert "there is no phone number" in worker.last_text
    assert "accepted your request JN-0002. Your personal details were erased" in resident.last_text
    assert "will contact you soon" not in resident.last_text
