"""Questions and answers: the knowledge base answers, suggests or passes the question to a
social worker; replies travel both ways; 👎 and unmatched questions reach /kbgaps."""

from __future__ import annotations

from bot.offline_telegram import OfflinePerson
from tests.harness import BotHarness


def data_of(person: OfflinePerson) -> list[str]:
    return [b.callback_data or "" for b in person.last_with_buttons().buttons]


async def test_free_text_gets_the_answer_with_votes(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("請問社工站幾點開門？")  # traditional, with filler and punctuation
    assert "开放时间" in resident.last_text
    assert "周一至周五 8:30–12:00" in resident.last_text  # from stations.yaml
    labels = resident.button_labels()
    assert labels[:2] == ["👍", "👎"]
    assert "💬 还是问问社工" in labels


async def test_answer_offers_the_matching_service(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("how do I enrol my child in summer childcare")
    assert resident.last_text.startswith("How do I enrol my child in summer childcare?")
    assert "req:start:summer_childcare" in data_of(resident)
    assert "🙋 Request this service" in resident.button_labels()


async def test_ask_command_with_and_without_words(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("/ask")
    assert "像问邻居一样" in resident.last_text
    assert "社工站是什么？" in resident.button_labels()
    await resident.press("社工站是什么？")
    assert "社会工作服务站" in resident.last_text
    await resident.send("/ask 暑期托管怎么报名")
    assert resident.last_text.startswith("暑期托管怎么报名？")


async def test_a_vague_question_gets_suggestions(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("培训")
    assert "您想问的是下面哪一个" in resident.last_text
    data = data_of(resident)
    shown = [d for d in data if d.startswith("kb:show:")]
    assert 1 <= len(shown) <= 3
    assert data[-1].startswith("kb:human:")
    await resident.press(shown[0])
    assert "👍" in resident.button_labels()


async def test_hand_off_asks_the_station_and_notifies_its_workers(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    elsewhere = await bot.person(role="worker", stations=("xicheng",))
    resident = await bot.person(name="王阿姨")
    await resident.send("我家隔壁在装修，吵得睡不着 <怎么办> & 找谁？")
    assert "答不上来" in resident.last_text
    await resident.press("好的，转给社工")
    await resident.press("✅ 同意")  # the notice before a question first goes to a person
    assert "要转给哪个社工站" in resident.last_text
    await resident.press("江南街道社工站")
    assert "已转给江南街道社工站" in resident.last_text
    assert "周一至周五" in resident.last_text
    note = worker.last_text
    assert note.startswith("❓ New question #")
    assert "王阿姨" in note and "<怎么办> & 找谁" in note  # escaped on the way, shown as typed
    assert [b.text for b in worker.last.buttons] == ["✍️ Reply", "✔ Close"]
    assert not elsewhere.messages
    # Pressing the station again changes nothing.
    await resident.press_data(resident.last_with_buttons().buttons[0].callback_data or "")
    assert "已经转给社工了" in bot.telegram.callback_answers[-1]["text"]


async def test_the_station_is_remembered_for_the_next_question(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("gushan",))
    resident = await bot.person()
    await resident.send("明天天气怎么样")
    await resident.press("好的，转给社工")
    await resident.press("✅ 同意")  # the notice before a question first goes to a person
    await resident.press("古山镇社工站")
    await resident.send("推荐一支股票")
    await resident.press("好的，转给社工")
    assert "已转给古山镇社工站" in resident.last_text  # no station question the second time
    assert len([m for m in worker.messages if m.text.startswith("❓")]) == 2


async def test_reply_relay_both_ways(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person()
    await resident.send("明天天气怎么样")
    await resident.press("好的，转给社工")
    await resident.press("✅ 同意")  # the notice before a question first goes to a person
    await resident.press("江南街道社工站")
    await worker.press("✍️ Reply")
    assert worker.last_text.startswith("✍️ Type your reply to question #")
    await worker.send("We do not forecast weather, but call 12121 <free>.")
    assert worker.last_text == "✅ Sent."
    reply = resident.last
    assert reply.text.startswith("💬 江南街道社工站回复了您的问题 #")
    assert "call 12121 <free>." in reply.text
    assert [b.text for b in reply.buttons] == ["✍️ 回复", "✅ 解决了，谢谢"]
    await resident.press("✍️ 回复")
    await resident.send("好的，谢谢您")
    back = worker.last
    assert "wrote again on question" in back.text and "好的，谢谢您" in back.text
    await resident.press("✅ 解决了，谢谢", message=reply)
    assert "已关闭" in bot.telegram.callback_answers[-1]["text"]
    await worker.press("✍️ Reply", message=back)
    assert "closed" in bot.telegram.callback_answers[-1]["text"]


async def test_reply_survives_a_restart_and_cancel_sends_nothing(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person()
    await resident.send("明天天气怎么样")
    await resident.press("好的，转给社工")
    await resident.press("✅ 同意")  # the notice before a question first goes to a person
    await resident.press("江南街道社工站")
    notification = worker.last
    await worker.press("✍️ Reply")
    await worker.send_photo()
    assert worker.last_text.startswith("Please type your answer as text, or use the buttons.\n\n✍️")
    await worker.send("/cancel")
    assert worker.last_text == "Cancelled. Nothing was saved."
    before = len(resident.messages)
    await worker.press("✍️ Reply", message=notification)
    await bot.restart()
    await worker.send("Still there after a restart")
    assert len(resident.messages) == before + 1
    assert "Still there after a restart" in resident.last_text


async def test_another_station_cannot_reply(bot: BotHarness) -> None:
    await bot.person(role="worker", stations=("jiangnan",))
    outsider = await bot.person(role="worker", stations=("xicheng",), lang="en")
    resident = await bot.person()
    await resident.send("明天天气怎么样")
    await resident.press("好的，转给社工")
    await resident.press("✅ 同意")  # the notice before a question first goes to a person
    await resident.press("江南街道社工站")
    await outsider.send("/start")
    await outsider.press_data("qa:reply:1")
    assert "Only the question's station" in bot.telegram.callback_answers[-1]["text"]
    await outsider.send("hello")  # not captured by a reply conversation
    assert "Hello" in outsider.last_text or "did you mean" in outsider.last_text.lower()


async def test_thumbs_down_is_stored_and_offers_a_person(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("请问一下，服务收费吗？")
    await resident.press("👎")
    assert "没帮上忙" in resident.last_text
    assert "👍" not in [b.text for b in resident.messages[-2].buttons]
    admin = await bot.admin(lang="en")
    await admin.send("/kbgaps")
    assert "服务收费" in admin.last_text  # the normalised question
    assert "cost_free" in admin.last_text and "👎 1" in admin.last_text
    chinese = await bot.person(role="admin", lang="zh")
    await chinese.send("/kbgaps")
    assert "（cost_free）：👎 1 / 👍 0" in chinese.last_text  # Chinese punctuation (WORDING.md)


async def test_unmatched_questions_reach_kbgaps_for_admins_only(bot: BotHarness) -> None:
    for _ in range(2):
        someone = await bot.person()
        await someone.send("明天天气怎么样？")
    other = await bot.person()
    await other.send("股票会涨吗")
    admin = await bot.admin()
    await admin.send("/kbgaps")
    lines = admin.last_text.splitlines()
    assert lines[1] == "1. “明天天气怎么样” × 2（未匹配 2 次，差评 0 次）"  # WORDING.md
    assert "股票会涨" in lines[2]
    resident = await bot.person(lang="en")
    await resident.send("/kbgaps")
    assert (
        resident.last_text
        == "Sorry, this is only for social work station staff. Send /menu to see what you can use."
    )


async def test_inbox_questions_lists_the_station_questions(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person()
    await worker.send("/start")
    await worker.press_data("inbox:questions")
    assert worker.last_text == "No questions are waiting for a reply. 🎉"
    await resident.send("明天天气怎么样")
    await resident.press("好的，转给社工")
    await resident.press("✅ 同意")  # the notice before a question first goes to a person
    await resident.press("江南街道社工站")
    await worker.press_data("inbox:questions", message=worker.messages[0])
    assert worker.last_text.startswith("❓ Questions waiting for a reply: 1")
    assert "明天天气怎么样" in worker.last_text
    await worker.press("Reply to #")
    assert worker.last_text.startswith("✍️ Type your reply")
    await resident.press_data("inbox:questions")
    assert (
        resident.last_text
        == "抱歉，这个功能只供社工站工作人员使用。发送 /menu 可以查看您能用的功能。"
    )


async def test_stale_and_forged_buttons(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/start")
    before = await bot.rows()
    await resident.press_data("kb:human:99")
    assert "no longer have that question" in bot.telegram.callback_answers[-1]["text"]
    await resident.press_data("kb:show:no_such_entry:0")
    assert "no longer available" in bot.telegram.callback_answers[-1]["text"]
    await resident.press_data("qa:close:12345")
    assert "no longer exists" in bot.telegram.callback_answers[-1]["text"]
    assert await bot.rows() == before


async def test_forged_huge_ids_are_refused_and_change_nothing(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person(lang="en")
    await resident.send("What is the weather tomorrow")
    await worker.send("/start")  # both have talked to the bot before the forged presses
    huge = "9" * 40
    before = await bot.rows()
    for data, refusal in (
        (f"qa:reply:{huge}", "no longer exists"),
        (f"qa:close:{huge}", "no longer exists"),
        (f"kb:human:{huge}", "no longer have that question"),
        (f"kb:st:{huge}:jiangnan", "no longer have that question"),
        ("kb:st:1:atlantis", "no longer have that question"),
        (f"kb:dn:no_such_entry:{huge}", "no longer available"),
    ):
        await resident.press_data(data)
        assert refusal in bot.telegram.callback_answers[-1]["text"], data
    await worker.press_data(f"qa:reply:{huge}", message=resident.last)
    assert "no longer exists" in bot.telegram.callback_answers[-1]["text"]
    assert not any("went wrong" in m.text for m in resident.messages + worker.messages)
    assert await bot.rows() == before


async def test_nothing_sent_when_the_person_changes_their_mind(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    resident = await bot.person()
    await resident.send("明天天气怎么样")
    await resident.press("好的，转给社工")
    await resident.press("kb:x")
    assert resident.last_text.startswith("好的，没有发送。")  # and the numbers line
    assert not worker.messages


async def test_inbox_overview_has_a_questions_button_with_the_count(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person()
    await resident.send("明天天气怎么样")
    await resident.press("好的，转给社工")
    await resident.press("✅ 同意")  # the notice before a question first goes to a person
    await resident.press("江南街道社工站")
    await worker.send("/inbox")
    assert "❓ Questions waiting (1)" in worker.button_labels()
    await worker.press("❓ Questions waiting (1)")
    assert "明天天气怎么样" in worker.last_text


async def test_mydata_and_forget_cover_questions(bot: BotHarness) -> None:
    import json

    resident = await bot.person()
    await resident.send("明天天气怎么样")
    await resident.press("好的，转给社工")
    await resident.press("✅ 同意")  # the notice before a question first goes to a person
    await resident.press("江南街道社工站")
    await resident.send("/mydata")
    exported = json.loads(resident.last.file_bytes or b"{}")
    assert any(q["text"] == "明天天气怎么样" for q in exported["questions"])
    await resident.send("/forget")
    await resident.press_data(resident.last_with_buttons().buttons[0].callback_data or "")
    await resident.send("/mydata")
    exported = json.loads(resident.last.file_bytes or b"{}")
    assert exported["questions"] and all(q["text"] is None for q in exported["questions"])


async def _passed_on(bot: BotHarness):  # type: ignore[no-untyped-def]
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person()
    await resident.send("明天天气怎么样")
    await resident.press("好的，转给社工")
    await resident.press("✅ 同意")
    await resident.press("江南街道社工站")
    return worker, resident


async def test_the_reply_on_the_kit_keeps_the_question_and_relays_as_written(
    bot: BotHarness,
) -> None:
    worker, resident = await _passed_on(bot)
    notification = worker.last
    await worker.press("✍️ Reply")
    assert notification.text.startswith("❓") and notification.edits == 0  # not written over
    prompt = worker.last
    assert prompt is not notification and prompt.text.startswith("✍️ Type your reply")
    assert [b.callback_data for b in prompt.buttons] == ["qa:cancel"]
    # Words of an emergency in a worker's reply: relayed at once, not held for the numbers.
    await worker.send("如遇紧急情况请拨打120，我们明天上门。")
    assert worker.last_text == "✅ Sent."
    assert "我们明天上门" in resident.last_text
    await resident.press("✍️ 回复")
    before = len(resident.messages)
    await resident.send("我妈摔倒了起不来")  # the resident's emergency: sent, and the numbers
    assert "我妈摔倒了起不来" in worker.last_text
    texts = [m.text for m in resident.messages[before:]]
    assert any("120" in t and "110" in t for t in texts) and texts[-1] == "✅ 已发送。"


async def test_a_reply_being_typed_across_the_upgrade_is_still_sent(bot: BotHarness) -> None:
    worker, resident = await _passed_on(bot)
    await worker.press("✍️ Reply")
    assert bot.app is not None
    data = bot.app.user_data[worker.user_id]
    question_id = data["qa"]["question_id"]
    data.clear()  # as the release before the kit left it: state 1, the draft {"question_id"}
    data["qa"] = {"question_id": question_id}
    await bot.restart()
    await worker.send("Written before the upgrade")
    assert worker.last_text == "✅ Sent."
    assert "Written before the upgrade" in resident.last_text
