"""The kit's Flow as a journey would use it: toggles, typed text, a summary with Edit that
returns to the summary, Back, and a stale press. The flow is added to the real application."""

from __future__ import annotations

from typing import Any

from handlers.kit import consent
from handlers.kit.consent import NEEDS_CONSENT, consent_steps, needs_consent
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import END, Draft, Flow, Outcome
from handlers.kit.screen import show
from handlers.kit.steps import confirm_step, phone_step, text_step, toggles_step
from tests.harness import BotHarness

SAVED: list[Draft] = []


def install(bot: BotHarness, flow: Flow) -> None:
    """Add `flow` to the real application before the fallbacks, as a journey package would."""
    assert bot.app is not None
    bot.app.add_handler(flow.conversation())
    journeys = bot.app.handlers[0]
    journeys.insert(0, journeys.pop())
    SAVED.clear()


async def _begin(update: Any, context: Context, who: Speaker) -> Draft:
    return {}


async def _save(update: Any, context: Context, who: Speaker, draft: Draft) -> Outcome:
    SAVED.append(dict(draft))
    await show(update, "Saved.")
    return END


FLOW = Flow(
    name="kit_demo",
    prefix="demo",
    steps=(
        toggles_step(
            "groups",
            prefix="demo",
            key="groups",
            text=lambda _, c, w, d: "Which groups?",
            options=lambda c, w, d: [("Elders", "elders"), ("Children", "children")],
            done_label=lambda _: "Done",
        ),
        text_step("note", key="note", text=lambda _, c, w, d: "A note?"),
        confirm_step(
            "summary",
            prefix="demo",
            text=lambda _, c, w, d: f"Groups: {','.join(d['groups'])}; note: {d['note']}",
            save_label=lambda _: "Save",
            edits=lambda _, d: [("Edit groups", "groups"), ("Edit note", "note")],
        ),
    ),
    begin=_begin,
    finish=_save,
    commands=("kitdemo",),
    summary="summary",
)


async def test_a_flow_with_toggles_text_summary_and_edit(bot: BotHarness) -> None:
    install(bot, FLOW)
    person = await bot.person(lang="en")
    await person.send("/kitdemo")
    assert person.button_labels() == ["◻️ Elders", "◻️ Children", "Done", "✖ Cancel"]
    await person.press("Done")  # nothing ticked: asked again
    assert person.last_text.startswith("Please choose one of the buttons.")
    await person.press("◻️ Children")
    assert "☑️ Children" in person.button_labels()
    await person.press("Done")
    assert person.last_text == "A note?"
    await person.send_photo()
    assert person.last_text.startswith("Please type your answer as text, or use the buttons.")
    await person.send("first")
    assert person.last_text == "Groups: children; note: first"
    # Edit the note from the summary: back to the summary, not on to the next step.
    await person.press("Edit note")
    await person.send("second")
    assert person.last_text == "Groups: children; note: second"
    # Edit the groups: ticking re-shows the step, Done returns to the summary.
    await person.press("Edit groups")
    await person.press("◻️ Elders")
    await person.press("Done")
    assert person.last_text == "Groups: children,elders; note: second"
    await person.press("Edit groups")
    await person.press("☑️ Elders")
    await person.press("Done")
    # Back from the summary goes to the note; a stale toggle re-shows the note step.
    await person.press("« Back")
    assert person.last_text == "A note?"
    await person.press_data("demo:tog:elders")
    assert person.last_text == "A note?"
    await person.send("third")
    await person.press("Save")
    assert person.last_text == "Saved."
    assert SAVED == [{"groups": ["children"], "note": "third"}]


async def _begin_with_consent(update: Any, context: Context, who: Speaker) -> Draft:
    return {NEEDS_CONSENT: await needs_consent(context, who)}


CONSENT_FLOW = Flow(
    name="kit_consent",
    prefix="kc",
    steps=(
        *consent_steps(prefix="kc", purpose=consent.REQUEST),
        text_step("note", key="note", text=lambda _, c, w, d: "A note?"),
    ),
    begin=_begin_with_consent,
    finish=_save,
    commands=("kitconsent",),
)


async def test_consent_as_a_sub_flow(bot: BotHarness) -> None:
    install(bot, CONSENT_FLOW)
    person = await bot.person(lang="en")
    await person.send("/kitconsent")
    assert person.button_labels() == ["✅ I agree", "✖ I do not agree"]
    await person.press("✖ I do not agree")
    assert any("nothing has been saved" in m.text for m in person.messages[-2:])
    await person.send("/kitconsent")
    await person.press("✅ I agree")
    assert person.button_labels() == ["✅ I agree", "✖ I do not agree", "« Back"]
    await person.press("« Back")
    assert person.button_labels() == ["✅ I agree", "✖ I do not agree"]
    await person.press("✅ I agree")
    await person.press("✅ I agree")
    assert person.last_text == "A note?"
    assert person.button_labels() == ["✖ Cancel"]  # consent is behind: no Back to it
    await person.send("hello")
    assert SAVED == [{NEEDS_CONSENT: False, "note": "hello"}]
    # Given once, it is not asked again.
    await person.send("/kitconsent")
    assert person.last_text == "A note?"


async def _refuse_short(update: Any, context: Context, who: Speaker, draft: Draft) -> Outcome:
    """A `finish` whose service refuses a value: the step shown again by the journey itself,
    under its own problem, its state returned (as /register and /newcase do)."""
    if len(draft["note"]) < 3:
        return await REFUSING.ask(update, context, who, "note", "Too short for the service.")
    SAVED.append(dict(draft))
    await show(update, "Saved.")
    return END


REFUSING = Flow(
    name="kit_refusing",
    prefix="kr",
    steps=(text_step("note", key="note", text=lambda _, c, w, d: "A note?"),),
    begin=_begin,
    finish=_refuse_short,
    commands=("kitrefusing",),
)


async def test_finish_showing_a_named_step_keeps_its_problem(bot: BotHarness) -> None:
    install(bot, REFUSING)
    person = await bot.person(lang="en")
    await person.send("/kitrefusing")
    before = len(person.messages)
    await person.send("ab")
    # One message, the problem above the step: not shown a second time without it.
    assert [m.text for m in person.messages[before:]] == ["Too short for the service.\n\nA note?"]
    await person.send("long enough")
    assert person.last_text == "Saved." and SAVED == [{"note": "long enough"}]


def _buttons(_: Any, c: Any, w: Any, d: Any) -> Any:
    from telegram import InlineKeyboardButton

    return [[InlineKeyboardButton("Elderly care", callback_data="kf:svc:elderly")]]


async def _picked(update: Any, context: Context, who: Speaker, draft: Draft, press: Any) -> Outcome:
    draft["service"] = press.arg()
    return None


async def _described(
    update: Any, context: Context, who: Speaker, draft: Draft, text: str
) -> Outcome:
    draft["description"] = text  # free text at a button step: kept as the need
    return None


def _step(name: str, **declared: Any) -> Any:
    from handlers.kit.flow import Screen, Step

    return Step(
        name,
        lambda c, w, d: Screen(f"{name}?", _buttons(None, c, w, d)),
        {"svc": _picked},
        **declared,
    )


FREE = Flow(
    name="kit_free",
    prefix="kf",
    steps=(
        _step("service", on_text=_described, free_text=True),  # as /request's service step
        _step("other"),  # a plain button step
    ),
    begin=_begin,
    finish=_save,
    commands=("kitfree",),
)


async def test_a_step_that_declares_free_text_keeps_it_and_others_answer_questions(
    bot: BotHarness,
) -> None:
    install(bot, FREE)
    person = await bot.person(lang="zh")
    await person.send("/kitfree")
    before = len(person.messages)
    await person.send("社工站几点开门")  # declared free text: the answer, not a question
    assert [m.text for m in person.messages[before:]] == ["other?"]
    before = len(person.messages)
    await person.send("社工站几点开门")  # a button step: answered, then asked again
    answer, step = person.messages[before:]
    assert "开放时间" in answer.text and step.text == "请点下面的按钮选择。\n\nother?"
    await person.press("kf:svc:elderly")
    assert SAVED == [{"description": "社工站几点开门", "service": "elderly"}]


def test_refused_text_at_a_value_step_is_a_question_only_when_it_reads_as_one() -> None:
    from handlers.kit.flow import looks_like_a_question

    for attempt in ("123", "soon", "明天", "3月5日", "two-ish", "１２"):
        assert not looks_like_a_question(attempt), attempt
    for question in ("社工站几点开门", "When is the station open?", "how do I log hours"):
        assert looks_like_a_question(question), question


PHONE_FLOW = Flow(
    name="kit_phone_demo",
    prefix="dph",
    steps=(
        text_step("name", key="name", text=lambda _, c, w, d: "Your name?"),
        phone_step(prefix="dph", text=lambda _, c, w, d: "Your phone?"),
    ),
    begin=_begin,
    finish=_save,
    commands=("kitphone",),
)  # no `busy`: /cancel reaches the ConversationHandler's fallback, not the step


async def test_cancel_through_the_fallback_takes_a_reply_keyboard_away(bot: BotHarness) -> None:
    install(bot, PHONE_FLOW)
    person = await bot.person(lang="en")
    await person.send("/kitphone")
    await person.send("Li")
    assert [b.text for b in person.reply_keyboard()] == [
        "📱 Share my phone number", "« Back", "✖ Cancel"
    ]  # fmt: skip
    await person.send("/cancel")
    assert person.last_text == "Cancelled. Nothing was saved."
    assert person.reply_keyboard() == []
