"""A question goes to a person only after one short notice (Agree / Cancel, asked once), and
/kbgaps shows administrators what people asked with their personal details replaced by words."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Consent
from services import consent
from tests.harness import BotHarness


async def test_consent_is_asked_once_before_a_question_reaches_a_worker(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    resident = await bot.person(name="王阿姨")
    await resident.send("明天天气怎么样")
    await resident.press("好的，转给社工")
    assert "您同意吗？" in resident.last_text
    assert resident.button_labels() == ["✅ 同意", "✖ 取消"]
    assert not worker.messages  # nothing went before the answer
    await resident.press("✖ 取消")
    assert resident.last_text.startswith("好的，没有发送。")  # and the emergency numbers line
    assert not worker.messages
    async with bot.database.uow() as uow:
        assert not (await uow.session.scalars(select(Consent))).all()

    await resident.send("推荐一支股票")
    await resident.press("好的，转给社工")
    await resident.press("✅ 同意")
    assert "要转给哪个社工站" in resident.last_text
    await resident.press("江南街道社工站")
    assert "已转给江南街道社工站" in resident.last_text
    assert worker.last_text.startswith("❓")
    async with bot.database.uow() as uow:
        kinds = [c.kind for c in (await uow.session.scalars(select(Consent))).all()]
    assert kinds == [consent.QUESTION_TO_PERSON]

    await resident.send("明天天气怎么样")  # asked once: the next question goes at once
    await resident.press("好的，转给社工")
    assert "已转给江南街道社工站" in resident.last_text


async def test_kbgaps_shows_the_question_without_personal_details(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("我叫王秀英今年78岁住在古山镇前黄村电话13812345678，股票会涨吗")
    admin = await bot.admin()
    await admin.send("/kbgaps")
    text = admin.last_text
    assert "王秀英" not in text and "13812345678" not in text and "78岁" not in text
    assert "[姓名]" in text and "[电话]" in text and "[地址]" in text
    english = await bot.person(role="admin", lang="en")
    await english.send("/kbgaps")
    assert "[name]" in english.last_text and "王秀英" not in english.last_text


async def test_a_worker_closing_a_question_tells_the_resident(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person()
    await resident.send("明天天气怎么样")
    await resident.press("好的，转给社工")
    await resident.press("✅ 同意")
    await resident.press("江南街道社工站")
    notice = worker.last
    await worker.press("✔ Close")
    closed = next(m for m in worker.messages if m.message_id == notice.message_id)
    assert closed.buttons == [] or not closed.inline_keyboard
    assert closed.text.startswith("❓ New question #")
    assert closed.text.endswith("✔ You closed this question; its buttons no longer work.")
    assert resident.last_text.startswith("✔ 江南街道社工站已结束您的问题 #")
    assert "请直接在这里再发消息" in resident.last_text
