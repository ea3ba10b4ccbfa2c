"""Questions and answers: anything typed outside a conversation, and /ask, goes to the
knowledge base; whatever it cannot answer goes to a social worker of the person's station,
whose reply comes back into this chat.

The knowledge base answers in one of three ways (`knowledge.matcher`): the answer itself
with 👍 / 👎 (and a "request this service" button where one fits); "did you mean…" with up to
three entries; or an offer to pass the question to a social worker. Passing it on creates a
question for the person's station (asked with buttons when not known yet); the station's
workers get it with a Reply button, and their reply reaches the resident with a Reply button
of their own. The reply is the one conversation here (`qa_reply`, a kit Flow): press Reply,
type, sent. Unanswered questions are listed by `inbox:questions` (a button of /inbox).
Unmatched questions and 👎 are stored; /kbgaps shows administrators the most frequent ones.

What the matcher decided by a rule shows differently (issue 13): an emergency is answered with
the numbers and no 👍 / 👎 (the kit's Flow does the same mid-conversation and re-shows the
step); small talk ("谢谢") gets its answer and the menu button only; an answer about the person's
own things (`MatchResult.intent`) adds their open requests or their volunteer application, with
a button to /myrequests or /volunteer. Because detection still misses some emergency wordings,
every "did you mean" and every hand-off screen ends with one line of the emergency numbers
(`emergency_line`). A message near an emergency without the alarm (`MatchResult.caution`: some
danger words, or an alarm damped by 如果 / 上个月) gets its usual reply with one line of the
numbers on top instead (`caution_line`), outside a form and in one alike.

The last few questions a person typed are kept in `user_data["ask"]` (JSON: their text,
what matched) so that 👎 and "pass it on" still know the question after a restart.

See `ask.mmd` for the reply conversation.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
)

from handlers.delivery import OutgoingMessage
from handlers.kit.callbacks import pattern
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import (
    END,
    TEXT,
    Draft,
    Flow,
    Reask,
    Screen,
    Step,
    cancelled_text,
    knowledge_text,
)
from handlers.kit.flow import Outcome as FlowOutcome
from handlers.kit.i18n import N_, Gettext
from handlers.kit.keyboards import station_buttons
from handlers.kit.screen import answer_press, drop_buttons, show
from handlers.kit.words import moment_label, only_for
from handlers.requests import STATUS_LABELS, VOLUNTEER_STATUS_LABELS, label
from handlers.requests.inbox import InboxSection, add_section
from knowledge.faq import Faq, FaqEntry
from knowledge.matcher import (
    ANSWER,
    HANDOFF,
    OUT_OF_SCOPE_RULE,
    SMALL_TALK,
    MatchResult,
    normalise,
)
from knowledge.referrals import Referrals
from services import consent, people, questions, redaction, volunteers
from services import requests as rq
from services.consent import ConsentRequired
from services.errors import Conflict, InvalidValue, NotAllowed, NotFound
from services.people import ADMIN, STATION_HEAD, WORKER
from services.requests import handled_stations

KEEP = 10  # questions remembered per person for 👎 and "pass it on"
EXCERPT = 80
TYPING = 1
INBOX_LIMIT = 10
STOP_HINT = N_("If you want to stop this form, send /cancel; to go on, answer the question below.")
OWN_REQUESTS, OWN_APPLICATION = "own_requests", "own_volunteer_application"  # MatchResult.intent
Rows = Sequence[Sequence[InlineKeyboardButton]]


def emergency_line(_: Gettext) -> str:
    """The one line of emergency numbers under every "did you mean" and hand-off screen."""
    return _("🆘 Emergency: 110 police, 120 ambulance, 12355 youth hotline")


def _with_emergency_line(_: Gettext, text: str, result: MatchResult | None = None) -> str:
    """The numbers under `text`, or on top of it when the message was near an emergency."""
    if result is not None and result.caution:
        return _on_top(_, text, result)
    return f"{text}\n\n{emergency_line(_)}"


def caution_line(_: Gettext) -> str:
    """The line of numbers on top of a reply to a message near an emergency."""
    return _(
        "🆘 If anyone is in danger right now, phone at once: 110 police, 120 ambulance, 119 fire."
    )


def _on_top(_: Gettext, text: str, result: MatchResult) -> str:
    return f"{caution_line(_)}\n\n{text}" if result.caution else text


def _menu_row(_: Gettext) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(_("🏠 Main menu"), callback_data="menu:menu")]


# --- what the person typed, remembered for the buttons under the answer ---------------------


def _remember(context: Context, text: str, result: MatchResult) -> int:
    assert context.user_data is not None  # private chats only: every update has a user
    store = context.user_data.setdefault("ask", {"next": 1, "asked": {}})
    number = int(store["next"])
    store["next"] = number + 1
    best = result.best
    store["asked"][str(number)] = {
        "text": text,
        "outcome": result.outcome,
        "entry": best.entry_id if best else None,
        "score": best.score if best else None,
        "lang": result.lang,
        "recorded": result.outcome == HANDOFF,
    }
    for old in sorted(store["asked"], key=int)[:-KEEP]:
        del store["asked"][old]
    return number


def _recall(context: Context, number: int) -> dict[str, object] | None:
    store = (context.user_data or {}).get("ask") or {}
    found = store.get("asked", {}).get(str(number))
    return found if isinstance(found, dict) else None


def _excerpt(text: str | None, length: int = EXCERPT) -> str:
    if not text:
        return "…"
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _station_name(context: Context, code: str, lang: str) -> str:
    station = context.bot_data.knowledge.stations.get(code)
    return station.name(lang) if station is not None else code


async def _send(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """A new message under whatever was pressed (the press is answered by the caller)."""
    await show(update, text, markup, new=True, answered=True)


# --- asking ----------------------------------------------------------------------------------


async def free_text(update: Update, context: Context) -> None:
    """Text outside any conversation: it is a question."""
    message = update.effective_message
    if message is None or not message.text:
        return
    who = await context.person(update)
    await answer_question(update, context, who, message.text)


async def ask_command(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    await answer_press(update)
    if context.args:
        await answer_question(update, context, who, " ".join(context.args))
        return
    faq = context.bot_data.knowledge.faq
    rows = [
        [InlineKeyboardButton(e.question(who.lang), callback_data=f"kb:show:{e.id}:0")]
        for e in faq.featured
    ]
    await _send(
        update,
        _(
            "Type your question in your own words, the way you would ask a neighbour. "
            "Or choose a common question:"
        ),
        InlineKeyboardMarkup(rows) if rows else None,
    )


async def answer_question(update: Update, context: Context, who: Speaker, text: str) -> None:
    _ = who.gettext
    data = context.bot_data
    text = text.strip()
    if not text:
        return
    result = data.knowledge.faq.match(text[: questions.MAX_QUERY])
    number = _remember(context, text, result)
    if result.outcome == ANSWER and result.best is not None:
        entry = data.knowledge.faq.get(result.best.entry_id)
        if entry is not None and result.rule == SMALL_TALK:
            # "谢谢" is not a question: its answer and the menu, nothing to rate.
            await _send(
                update, escape(entry.answer(who.lang)), InlineKeyboardMarkup([_menu_row(_)])
            )
            return
        if entry is not None:
            lines, rows = await _own_status(context, who, result.intent)
            body, markup = answer_view(
                _,
                data.knowledge.faq,
                entry,
                who.lang,
                number,
                votes=not result.emergency,
                first_rows=rows,
                menu=result.emergency,
                to_person=questions.passes_to_station(who.access),
                staff=who.access.is_staff,
            )
            await _send(update, _on_top(_, "\n\n".join([body, *lines]), result), markup)
            return
    if result.outcome != HANDOFF and result.ranked:
        rows = []
        for scored in result.ranked[:3]:
            entry = data.knowledge.faq.get(scored.entry_id)
            if entry is not None:
                rows.append(
                    [
                        InlineKeyboardButton(
                            entry.question(who.lang), callback_data=f"kb:show:{entry.id}:{number}"
                        )
                    ]
                )
        # Staff: "none of these" keeps the question as a gap (`_hand_off`), passed to no one.
        none_of_these = (
            _("🙋 None of these: ask a social worker")
            if questions.passes_to_station(who.access)
            else _("None of these")
        )
        rows.append([InlineKeyboardButton(none_of_these, callback_data=f"kb:human:{number}")])
        await _send(
            update,
            _with_emergency_line(_, _("🤔 Did you mean one of these?"), result),
            InlineKeyboardMarkup(rows),
        )
        return
    await data.use_case(
        questions.record_feedback,
        kind=questions.UNMATCHED,
        person_id=who.access.person_id,
        lang=result.lang,
        now=data.clock.now(),
        query=normalise(text[: questions.MAX_QUERY]) or text[: questions.MAX_QUERY],
        entry_id=result.best.entry_id if result.best else None,
        score=result.best.score if result.best else None,
    )
    elsewhere = referral_lines(_, data.knowledge.referrals, text, who.lang)
    if not questions.passes_to_station(who.access):
        await _send(
            update,
            _with_emergency_line(_, "\n\n".join([staff_gap_text(_), *elsewhere]), result),
            InlineKeyboardMarkup([_menu_row(_)]),
        )
        return
    if result.rule == OUT_OF_SCOPE_RULE:
        # Weather, train tickets, a lawsuit: say so plainly; a person may still point the way.
        offer = _(
            "This is not something the social work station handles, so I have no ready answer. "
            "A social worker can still tell you where to go. Shall I pass your question on?"
        )
    else:
        offer = _(
            "I don't have a ready answer to that. A social worker of your station can answer "
            "it, here in this chat. Shall I pass your question on?"
        )
    await _send(
        update,
        _with_emergency_line(_, "\n\n".join([offer, *elsewhere]), result),
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("📨 Yes, ask a social worker"), callback_data=f"kb:human:{number}"
                    )
                ],
                [InlineKeyboardButton(_("🏠 Main menu"), callback_data="menu:menu")],
            ]
        ),
    )


async def answer_in_form(
    update: Update, context: Context, who: Speaker, text: str, result: MatchResult
) -> bool:
    """A question typed mid-form (the kit's `BotData.answer_in_form`): a direct answer as
    outside any form, with 👍 / 👎, related entries, "ask a social worker instead" and, for a
    question about the person's own requests or application, what they are; but no button that
    would leave the form (request this service, the menu, /myrequests). Near an emergency
    (`MatchResult.caution`), the numbers on top of that answer, or alone when there is none.
    Small talk and anything else the knowledge base cannot answer directly: False, the step is
    simply asked again."""
    faq = context.bot_data.knowledge.faq
    text = text.strip()
    entry = faq.get(result.best.entry_id) if result.best is not None else None
    if entry is not None and result.rule == SMALL_TALK and entry.may_stop_form:
        # "不用了", "算了" mid-form: perhaps the person wants to stop; say how, then the step.
        await _send(update, who.gettext(STOP_HINT))
        return True
    if not text or result.outcome != ANSWER or result.rule == SMALL_TALK or entry is None:
        if text and result.caution:
            await _send(update, caution_line(who.gettext))
            return True
        return False
    number = _remember(context, text, result)
    lines, _rows = await _own_status(context, who, result.intent)
    if entry.action_service:
        # The answer may say "use the button below"; inside a form that button is left out.
        elsewhere = request_later_text(who)
        if elsewhere is not None:
            lines.append(elsewhere)
    body, markup = answer_view(
        who.gettext, faq, entry, who.lang, number, action=False,
        to_person=questions.passes_to_station(who.access), staff=who.access.is_staff,
    )  # fmt: skip
    await _send(update, _on_top(who.gettext, "\n\n".join([body, *lines]), result), markup)
    return True


def referral_lines(_: Gettext, referrals: Referrals, text: str, lang: str) -> list[str]:
    """Whom to ask directly about a matter the station does not handle (12348 for a lawsuit,
    12333 for unpaid wages: `knowledge/referrals.yaml`), as one paragraph; none when the
    question names no such matter."""
    offices = referrals.for_question(text[: questions.MAX_QUERY])
    if not offices:
        return []
    listed = "\n".join(
        _("• {office}: {what}").format(
            office=escape(office.name(lang)), what=escape(office.what(lang))
        )
        for office in offices
    )
    return [_("You can also ask directly:") + "\n" + listed]


def request_later_text(who: Speaker) -> str | None:
    """Under an answer given mid-form whose "request this service" button is left out: how to
    ask for it later. A resident files their own request; a worker or head registers one for a
    resident who came in or phoned; other staff file none, so nothing is said."""
    _ = who.gettext
    if not who.access.is_staff:
        return _(
            "You are in the middle of a form, so the request button is not shown here: "
            "send /request once this form is finished or cancelled."
        )
    if who.access.worker_stations or who.access.head_stations:
        return _(
            "For a resident who came in or phoned, /register records a request for this "
            "service once this form is finished or cancelled."
        )
    return None


def staff_gap_text(_: Gettext) -> str:
    """What staff hear for a question the knowledge base cannot answer: not the resident's
    offer to pass it to a social worker, but that it is kept where answers get added."""
    return _(
        "I don't have a ready answer to that. The question is noted in the knowledge base's "
        "gaps, so an answer can be added. /menu shows your work tools."
    )


def answer_view(
    _: Gettext,
    faq: Faq,
    entry: FaqEntry,
    lang: str,
    number: int,
    *,
    votes: bool = True,
    first_rows: Rows = (),
    menu: bool = False,
    action: bool = True,
    to_person: bool = True,
    staff: bool = False,
) -> tuple[str, InlineKeyboardMarkup]:
    """The answer, with 👍 / 👎 (unless not `votes`: the emergency numbers are not rated), the
    `first_rows` (the person's own requests), the entry's action, related entries, a way to a
    person (when `number` names a question the person typed) and (`menu`) the menu button.
    Not `action`: no "request this service" (mid-form, it would leave the form). Not
    `to_person`: no "ask a social worker instead" (staff: `questions.passes_to_station`).
    `staff`: the entry's staff answer where it has one ("erase a resident's data" is not the
    asker's own /forget)."""
    body = knowledge_text(entry, lang, staff=staff)
    rows: list[list[InlineKeyboardButton]] = []
    if votes:
        rows.append(
            [
                InlineKeyboardButton("👍", callback_data=f"kb:up:{entry.id}:{number}"),
                InlineKeyboardButton("👎", callback_data=f"kb:dn:{entry.id}:{number}"),
            ]
        )
    rows += [list(row) for row in first_rows]
    if entry.action_service and action:
        rows.append(
            [
                InlineKeyboardButton(
                    _("🙋 Request this service"),
                    callback_data=f"req:start:{entry.action_service}",
                )
            ]
        )
    for related_id in entry.related[:3]:
        related = faq.get(related_id)
        if related is not None:
            rows.append(
                [
                    InlineKeyboardButton(
                        "➡️ " + related.question(lang),
                        callback_data=f"kb:show:{related.id}:{number}",
                    )
                ]
            )
    if number and to_person:
        rows.append(
            [
                InlineKeyboardButton(
                    _("💬 Ask a social worker instead"), callback_data=f"kb:human:{number}"
                )
            ]
        )
    if menu:
        rows.append(_menu_row(_))
    return body, InlineKeyboardMarkup(rows)


async def _own_status(
    context: Context, who: Speaker, intent: str | None
) -> tuple[list[str], list[list[InlineKeyboardButton]]]:
    """For an answer about the person's own requests or application: what they are (lines
    under the answer) and the button to them; nothing for any other answer."""
    _ = who.gettext
    data = context.bot_data
    if intent == OWN_REQUESTS:
        views = await data.use_case(rq.for_resident, resident_id=who.access.person_id)
        mine = [[InlineKeyboardButton(_("📋 My requests"), callback_data="menu:myrequests")]]
        if not views:
            return [_("You have not made any requests yet.")], [
                [InlineKeyboardButton(_("🙋 Ask for a service"), callback_data="menu:request")]
            ]
        still_open = [v for v in views if v.is_open]
        if not still_open:
            return [_("None of your requests is open at the moment.")], mine
        lines = ["<b>" + _("Your open requests:") + "</b>"]
        for view in still_open:
            service = data.knowledge.services.name(view.service_code, who.lang)
            status = label(_, STATUS_LABELS, view.status)
            lines.append(f"{escape(view.ref)} · {escape(service)} · {status}")
        return ["\n".join(lines)], mine
    if intent == OWN_APPLICATION:
        current = await data.use_case(volunteers.current, person_id=who.access.person_id)
        if current is None:
            return [_("You have not applied to be a volunteer yet.")], [
                [
                    InlineKeyboardButton(
                        _("🙋 Sign up as a volunteer"), callback_data="menu:volunteer"
                    )
                ]
            ]
        line = _("Your volunteer application ({station}): {status}").format(
            station=escape(_station_name(context, current.station_code, who.lang)),
            status=label(_, VOLUNTEER_STATUS_LABELS, current.status),
        )
        active = current.status in volunteers.ACTIVE_STATUSES
        button = _("📄 My application") if active else _("🙋 Apply again")
        return [line], [[InlineKeyboardButton(button, callback_data="menu:volunteer")]]
    return [], []


async def show_entry(update: Update, context: Context) -> None:
    """kb:show:<entry>:<n> — a suggestion, a related entry or a common question pressed."""
    query, press = context.button(update)
    who = await context.person(update)
    _ = who.gettext
    code = press.arg(0) if len(press.args) == 2 else None
    entry = context.bot_data.knowledge.faq.get(code) if code else None
    number = press.int_arg(1) or 0
    if entry is None:
        await query.answer(_("This answer is no longer available. Please ask again."))
        return
    await query.answer()
    if number and _recall(context, number) is None:
        number = 0  # the question is forgotten: answer without "ask a person" for it
    body, markup = answer_view(
        _, context.bot_data.knowledge.faq, entry, who.lang, number,
        to_person=questions.passes_to_station(who.access), staff=who.access.is_staff,
    )  # fmt: skip
    await _send(update, body, markup)


async def vote(update: Update, context: Context) -> None:
    """kb:up / kb:dn:<entry>:<n>. 👎 keeps the question asked, and offers a person."""
    query, press = context.button(update)
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    kind, entry_id, number = press.kind, press.arg(0) or "", press.int_arg(1) or 0
    if data.knowledge.faq.get(entry_id) is None:  # forged, or an entry since removed
        await query.answer(_("This answer is no longer available. Please ask again."))
        return
    asked = _recall(context, number) if number else None
    voted = asked.get("voted") if asked is not None else None
    voted = voted if isinstance(voted, list) else []
    if entry_id in voted:  # the second tap of a double tap, before the row was taken away
        await query.answer(_("Thank you! Glad it helped.") if kind == "up" else None)
        return
    if asked is not None:
        asked["voted"] = [*voted, entry_id]  # one vote per answer shown
    text = str(asked["text"])[: questions.MAX_QUERY] if asked else None
    score = asked.get("score") if asked else None
    await data.use_case(
        questions.record_feedback,
        kind=questions.UP if kind == "up" else questions.DOWN,
        person_id=who.access.person_id,
        lang=str(asked["lang"]) if asked else who.lang,
        now=data.clock.now(),
        query=(normalise(text) or text) if text else None,
        entry_id=entry_id,
        score=float(score) if isinstance(score, (int, float)) else None,
    )
    message = query.message
    remaining = []
    if message is not None and hasattr(message, "reply_markup") and message.reply_markup:
        remaining = [
            list(row)
            for row in message.reply_markup.inline_keyboard
            if not any((b.callback_data or "").startswith(("kb:up:", "kb:dn:")) for b in row)
        ]
    if kind == "up":
        await query.answer(_("Thank you! Glad it helped."))
        await drop_buttons(update, keep=remaining)
        return
    await query.answer()
    await drop_buttons(update, keep=remaining)
    if not questions.passes_to_station(who.access):
        await _send(
            update,
            _(
                "Sorry that did not help. It is noted for the knowledge base, so the answer can "
                "be improved."
            ),
        )
    elif asked is not None:
        asked["recorded"] = True
        await _send(
            update,
            _with_emergency_line(
                _, _("Sorry that did not help. Shall I pass your question to a social worker?")
            ),
            InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            _("📨 Yes, ask a social worker"), callback_data=f"kb:human:{number}"
                        )
                    ]
                ]
            ),
        )
    else:
        await _send(
            update,
            _with_emergency_line(
                _,
                _(
                    "Sorry that did not help. Type your question in your own words and I will "
                    "try again, or pass it to a social worker."
                ),
            ),
        )


# --- passing a question on ---------------------------------------------------------------------


async def to_human(update: Update, context: Context) -> None:
    """kb:human:<n> — pass question n to the person's station (asking which, if unknown)."""
    press = context.press(update)
    number = press.int_arg(0) if press is not None else None
    await _hand_off(update, context, number, None)


async def station_chosen(update: Update, context: Context) -> None:
    """kb:st:<n>:<station>"""
    press = context.press(update)
    number = press.int_arg(0) if press is not None else None
    code = press.arg(1) if press is not None else None
    if code not in context.bot_data.knowledge.stations:
        number = None  # a forged station: as if the question were gone
    await _hand_off(update, context, number, code)


async def _hand_off(
    update: Update, context: Context, number: int | None, station_code: str | None
) -> None:
    """One use case, one unit of work (`questions.hand_off`); here only what people see."""
    query = update.callback_query
    assert query is not None
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    asked = _recall(context, number) if number is not None else None
    if asked is None:
        await query.answer(
            _("I no longer have that question. Please type it again."), show_alert=True
        )
        return
    if asked.get("question_id"):
        await query.answer(
            _("Already passed on as question #{number}.").format(number=asked["question_id"]),
            show_alert=True,
        )
        return
    if not questions.passes_to_station(who.access):
        # Staff are not offered to pass their question to themselves: it stays a gap.
        await query.answer()
        if not asked.get("recorded"):
            await data.use_case(
                questions.record_staff_gap, actor=who.access, text=str(asked["text"]),
                lang=str(asked.get("lang") or who.lang), now=data.clock.now(),
            )  # fmt: skip
            asked["recorded"] = True
        await drop_buttons(update)
        await _send(update, staff_gap_text(_), InlineKeyboardMarkup([_menu_row(_)]))
        return

    async def planned() -> questions.HandOffPlan:  # who would read it, asked again below
        return await data.use_case(
            questions.plan_hand_off,
            person_id=who.access.person_id,
            station_code=station_code,
            station_codes=data.knowledge.stations.codes,
            admin_tg_ids=data.admin_ids,
        )

    plan = await planned()
    if plan.consent_needed:
        await query.answer()
        await _ask_consent(update, context, who, number, plan)
        return
    await query.answer()
    if station_code is not None:
        await drop_buttons(update)
    try:
        done = await data.use_case(
            questions.hand_off,
            actor=who.access,
            person_id=who.access.person_id,
            text=str(asked["text"]),
            lang=who.lang,
            query_lang=str(asked.get("lang") or who.lang),
            station_code=station_code,
            station_codes=data.knowledge.stations.codes,
            unrecorded=not asked.get("recorded"),
            now=data.clock.now(),
            admin_tg_ids=data.admin_ids,
            require_consent=True,
        )
    except ConsentRequired:  # withdrawn a moment ago (/privacy), or the station's staff
        # changed since the plan: ask again with who would read it now, nothing was sent
        await _ask_consent(update, context, who, number, await planned())
        return
    except InvalidValue as error:
        if error.reason != "too_long":
            raise
        await _send(
            update,
            _with_emergency_line(
                _,
                _(
                    "Your question is too long to pass on in one message. Please shorten it "
                    "to 3,500 characters and send it again."
                ),
            ),
        )
        return
    asked["recorded"] = done.recorded
    if done.created is None:
        assert number is not None
        rows = station_buttons(data.knowledge.stations.stations, who.lang, f"kb:st:{number}")
        rows.append([InlineKeyboardButton(_("✖ Cancel"), callback_data="kb:x")])
        await _send(
            update,
            _with_emergency_line(
                _, _("Which station should answer? Choose the one where you live:")
            ),
            InlineKeyboardMarkup(rows),
        )
        return
    created = done.created
    asked["question_id"] = created.id
    station = data.knowledge.stations.get(created.station_code)
    assert station is not None
    if created.audience == questions.BUREAU:
        sent = _(
            "✅ Your question #{number} has been passed to the staff of the civil affairs "
            "bureau, for {station}: the station has no social worker using this assistant yet. "
            "The answer will come here in this chat."
        ).format(number=created.id, station=escape(station.name(who.lang)))
    else:
        sent = _(
            "✅ Your question #{number} has been passed to {station}. A social worker will "
            "answer here in this chat, usually within opening hours ({hours})."
        ).format(
            number=created.id,
            station=escape(station.name(who.lang)),
            hours=escape(station.hours(who.lang)),
        )
    await _send(update, sent + "\n\n" + emergency_line(_))
    await _notify_new_question(context, created, str(asked["text"]))


async def _ask_consent(
    update: Update, context: Context, who: Speaker, number: int | None, plan: questions.HandOffPlan
) -> None:
    """The one short notice before a question first goes to a person (asked once for each
    audience): the station's social workers, or, when the station has nobody on the bot, the
    civil-affairs bureau's staff (`plan.audience`, decided by the service)."""
    _ = who.gettext
    agree = f"kb:agree:{number}"
    if plan.station_code is not None:
        agree += f":{plan.station_code}:{plan.audience}"
    if plan.audience == questions.BUREAU and plan.station_code is not None:
        text = _(
            "Before I pass it on: {station} has no social worker using this assistant yet, so "
            "your question and your Telegram name would go to the staff of the civil affairs "
            "bureau. They will pass it on to the station, and the answer will come here. "
            "Nothing else is shared. Do you agree?"
        ).format(station=escape(_station_name(context, plan.station_code, who.lang)))
    else:
        text = _(
            "Before I pass it on: a social worker of your station will read your question and "
            "see your Telegram name, so that they can answer you here. Nothing else is shared. "
            "Do you agree?"
        )
    await _send(
        update,
        text,
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(_("✅ Agree"), callback_data=agree),
                    InlineKeyboardButton(_("✖ Cancel"), callback_data="kb:x"),
                ]
            ]
        ),
    )


async def consent_given(update: Update, context: Context) -> None:
    """kb:agree:<n>[:<station>:<audience>] — the person agreed to the notice shown (for that
    audience: an old button without one showed the station's): recorded once, then the question
    goes, or the notice for whoever would read it now is shown."""
    press = context.press(update)
    number = press.int_arg(0) if press is not None else None
    code = press.arg(1) if press is not None else None
    audience = (press.arg(2) if press is not None else None) or questions.STATION
    if code is not None and code not in context.bot_data.knowledge.stations:
        number = None  # a forged station: as if the question were gone
    if audience not in questions.AUDIENCES:
        number = None  # forged, likewise
    who = await context.person(update)
    data = context.bot_data
    if number is not None and _recall(context, number) is not None:
        await data.use_case(
            consent.give_purpose,
            person_id=who.access.person_id,
            purpose=questions.consent_purpose(audience),
            now=data.clock.now(),
        )
    await drop_buttons(update)
    await _hand_off(update, context, number, code)


async def nothing_sent(update: Update, context: Context) -> None:
    """kb:x — the person changed their mind about passing the question on."""
    who = await context.person(update)
    _ = who.gettext
    await show(update, _with_emergency_line(_, _("All right, nothing was sent.")))


def _thread_buttons(_: Gettext, question_id: int, *, staff: bool) -> InlineKeyboardMarkup:
    close = _("✔ Close") if staff else _("✅ Solved, thank you")
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("✍️ Reply"), callback_data=f"qa:reply:{question_id}"),
                InlineKeyboardButton(close, callback_data=f"qa:close:{question_id}"),
            ]
        ]
    )


async def _notify_new_question(
    context: Context, created: questions.QuestionCreated, text: str
) -> None:
    data = context.bot_data
    languages = await data.use_case(people.languages_of, created.recipients.tg_ids)
    messages = []
    for tg_id in created.recipients.tg_ids:
        lang = languages.get(tg_id, "zh")
        _ = data.translator.for_language(lang)
        lines = [
            _("❓ New question #{number} for {station}, from {name}:").format(
                number=created.id,
                station=escape(_station_name(context, created.station_code, lang)),
                name=escape(created.asker_name or _("a resident")),
            ),
            "",
            escape(text),
        ]
        if created.recipients.group != people.WORKER:
            lines += [
                "",
                _("(This station has no social worker in the bot yet, so it comes to you.)"),
            ]
        messages.append(
            OutgoingMessage(
                tg_id,
                "\n".join(lines),
                _thread_buttons(_, created.id, staff=True),
                about=f"question:{created.id}",
            )
        )
    await data.outbox.send_many(messages)


# --- the reply conversation --------------------------------------------------------------------


async def reply_begin(update: Update, context: Context, who: Speaker) -> Draft | None:
    """qa:reply:<id> — staff or the resident start writing in a question's thread (the
    service says who may); refused with an alert, nothing changes."""
    query = update.callback_query
    press = context.press(update)
    _ = who.gettext
    question_id = press.int_arg(0) if press is not None else None
    if query is None or question_id is None:  # a forged id: as if the question had gone
        if query is not None:
            await query.answer(_("This question no longer exists."), show_alert=True)
        return None
    try:
        view = await context.bot_data.use_case(
            questions.for_reply, question_id=question_id, access=who.access
        )
    except NotAllowed:
        await query.answer(
            _("Only the question's station and the person who asked can reply."), show_alert=True
        )
        return None
    except NotFound:
        await query.answer(_("This question no longer exists."), show_alert=True)
        return None
    except Conflict:
        await query.answer(_("This question has been closed."), show_alert=True)
        await drop_buttons(update)
        return None
    await query.answer()
    context.anew = True  # the prompt comes below the question, which keeps its text
    return {"question_id": question_id, "excerpt": _excerpt(view.text)}


def _reply_prompt(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    return Screen(
        _("✍️ Type your reply to question #{number}:").format(number=draft.get("question_id"))
        + f"\n<i>{escape(str(draft.get('excerpt') or '…'))}</i>"
    )


async def _reply_typed(
    update: Update, context: Context, who: Speaker, draft: Draft, text: str
) -> FlowOutcome:
    draft["text"] = text
    return None  # the Flow's finish sends it


async def reply_send(update: Update, context: Context, who: Speaker, draft: Draft) -> FlowOutcome:
    """The one confirm: `questions.reply` (which checks who may), then relayed through the
    outbox; a resident's reply that describes an emergency also gets the numbers at once."""
    _ = who.gettext
    data = context.bot_data
    text = str(draft.pop("text", "") or "")
    if not draft.get("question_id") or not text:
        await _send(update, cancelled_text(_))
        return END
    try:
        sent = await data.use_case(
            questions.reply,
            question_id=int(draft["question_id"]),
            access=who.access,
            text=text,
            now=data.clock.now(),
            admin_tg_ids=data.admin_ids,
        )
    except InvalidValue:
        raise Reask(_("Please keep your reply under 3,500 characters and send it again.")) from None
    except (NotAllowed, NotFound, Conflict):
        await _send(update, _("This question has been closed, so nothing was sent."))
        return END
    await _relay(context, sent, who)
    if not sent.from_staff:
        # A resident's reply that describes an emergency: it is sent, and the numbers come at
        # once (the station may not read it before the next opening hours).
        faq = data.knowledge.faq
        found = faq.match(text[: questions.MAX_QUERY])
        urgent = faq.get(found.best.entry_id) if found.emergency and found.best else None
        if urgent is not None:
            await _send(update, knowledge_text(urgent, who.lang))
    await _send(update, _("✅ Sent."))
    return END


# The reply conversation on the kit. Its state (1) and draft key ("qa") are those the release
# before the kit persisted, so a reply being typed across the upgrade is still sent.
REPLY = Flow(
    name="qa_reply",
    prefix="qa",
    draft_key="qa",
    steps=(
        Step(
            "reply",
            _reply_prompt,
            on_text=_reply_typed,
            expects=TEXT,
            persisted=TYPING,
            knowledge_first=False,  # relayed as written: never held for the knowledge base
        ),
    ),
    begin=reply_begin,
    finish=reply_send,
    entry_patterns=(pattern("qa", "reply"),),
)


async def _relay(context: Context, sent: questions.ReplySent, author: Speaker) -> None:
    data = context.bot_data
    view = sent.question
    languages = await data.use_case(people.languages_of, sent.recipients.tg_ids)
    messages = []
    for tg_id in sent.recipients.tg_ids:
        if tg_id == author.tg_id:
            continue
        lang = languages.get(tg_id, "zh")
        _ = data.translator.for_language(lang)
        station = escape(_station_name(context, view.station_code, lang))
        if sent.from_staff:
            heading = _("💬 {station} replied to your question #{number}:").format(
                station=station, number=view.id
            )
        else:
            heading = _("💬 {name} wrote again on question #{number} ({station}):").format(
                name=escape(view.asker_name or _("a resident")), number=view.id, station=station
            )
        body = "\n".join([heading, f"<i>{escape(_excerpt(view.text))}</i>", "", escape(sent.text)])
        messages.append(
            OutgoingMessage(
                tg_id,
                body,
                _thread_buttons(_, view.id, staff=not sent.from_staff),
                about=f"question:{view.id}",
            )
        )
    await data.outbox.send_many(messages)


async def close_question(update: Update, context: Context) -> None:
    """qa:close:<id> — the resident ("solved") or the station's staff close the thread."""
    query, press = context.button(update)
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    question_id = press.int_arg(0)
    if question_id is None:  # a forged id: as if the question had gone
        await query.answer(_("This question no longer exists."), show_alert=True)
        return
    try:
        closed = await data.use_case(
            questions.close, question_id=question_id, access=who.access, now=data.clock.now()
        )
    except NotAllowed:
        await query.answer(
            _("Only the question's station and the person who asked can close it."),
            show_alert=True,
        )
        return
    except NotFound:
        await query.answer(_("This question no longer exists."), show_alert=True)
        return
    except Conflict:
        await query.answer(_("This question was already closed."), show_alert=True)
        await drop_buttons(update)
        return
    await query.answer(_("Question #{number} is closed.").format(number=question_id))
    await _closed_here(update, _("✔ You closed this question; its buttons no longer work."))
    if closed.asker_tg_id != who.tg_id:  # the station closed it: the resident hears of it
        await _tell_asker_closed(context, closed)


async def _tell_asker_closed(context: Context, closed: questions.QuestionView) -> None:
    data = context.bot_data
    async with data.uow() as uow:
        lang = (await people.languages_of(uow, [closed.asker_tg_id])).get(
            closed.asker_tg_id, closed.lang
        )
    _ = data.translator.for_language(lang)
    text = _(
        "✔ {station} closed your question #{number}. If you still need help, just write here again."
    ).format(station=escape(_station_name(context, closed.station_code, lang)), number=closed.id)
    await data.outbox.send(OutgoingMessage(closed.asker_tg_id, text))


async def _closed_here(update: Update, why: str) -> None:
    """The pressed message keeps its text, loses its buttons, and says why underneath."""
    query = update.callback_query
    message = query.message if query is not None else None
    text = getattr(message, "text_html", None)
    if query is None or not text:
        await drop_buttons(update)
        return
    try:
        await query.edit_message_text(text + "\n\n" + why, reply_markup=None)
    except TelegramError:  # too old to edit, or already says so: the buttons at least go
        await drop_buttons(update)


# --- staff: unanswered questions, knowledge gaps --------------------------------------------


async def inbox_questions(update: Update, context: Context) -> None:
    """inbox:questions — the station's questions still waiting for a reply."""
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    await answer_press(update)
    access = who.access
    stations = (
        set(data.knowledge.stations.codes)
        if access.is_admin
        else set(access.worker_stations | access.head_stations)
    )
    if not stations:
        await _send(update, only_for(who, WORKER, STATION_HEAD, ADMIN))
        return
    async with data.uow() as uow:
        waiting = await questions.unanswered(uow, station_codes=stations, limit=INBOX_LIMIT)
        total = await questions.unanswered_count(uow, stations)
    if not waiting:
        await _send(update, _("No questions are waiting for a reply. 🎉"))
        return
    zone = data.clock.zone
    lines = [_("❓ Questions waiting for a reply: {count}").format(count=total), ""]
    rows = []
    for view in waiting:
        lines.append(
            f"#{view.id} · {escape(_station_name(context, view.station_code, who.lang))} · {moment_label(_, view.last_activity_at, zone)}\n<i>{escape(_excerpt(view.text))}</i>"
        )
        rows.append(
            [
                InlineKeyboardButton(
                    _("✍️ Reply to #{number}").format(number=view.id),
                    callback_data=f"qa:reply:{view.id}",
                )
            ]
        )
    await _send(update, "\n\n".join(lines), InlineKeyboardMarkup(rows))


async def _count_unanswered(context: Context, who: Speaker) -> int:
    data = context.bot_data
    return await data.use_case(questions.unanswered_count, handled_stations(who.access))


async def _list_unanswered(update: Update, context: Context, who: Speaker, page: int) -> None:
    await inbox_questions(update, context)


# The placeholders `services.redaction` puts where personal details were, in words.
REDACTED = {
    redaction.NAME: N_("[name]"),
    redaction.PHONE: N_("[phone]"),
    redaction.ID_NUMBER: N_("[ID number]"),
    redaction.ADDRESS: N_("[address]"),
    redaction.AGE: N_("[age]"),
}


def redacted_words(_: Gettext, text: str) -> str:
    for placeholder, msgid in REDACTED.items():
        text = text.replace(placeholder, _(msgid))
    return text


async def kbgaps(update: Update, context: Context) -> None:
    """/kbgaps — administrators: what people asked that the knowledge base could not answer."""
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    await answer_press(update)
    if not who.access.is_admin:
        await _send(update, only_for(who, ADMIN))
        return
    async with data.uow() as uow:
        found = await questions.gaps(uow, now=data.clock.now())
        disliked = await questions.votes(uow, now=data.clock.now())
    if not found and not disliked:
        await _send(update, _("No unanswered questions or 👎 in the last 90 days."))
        return
    lines = ["<b>" + _("🕳 Most frequent unanswered questions (last 90 days)") + "</b>"]
    for index, gap in enumerate(found, 1):
        lines.append(
            _("{index}. “{text}” × {count} (unmatched {unmatched}, 👎 {down})").format(
                index=index,
                text=escape(_excerpt(redacted_words(_, gap.query), 60)),
                count=gap.count,
                unmatched=gap.unmatched,
                down=gap.disliked,
            )
        )
    if not found:
        lines.append(_("None."))
    if disliked:
        lines += ["", "<b>" + _("👎 Answers people found unhelpful") + "</b>"]
        for item in disliked:
            entry = data.knowledge.faq.get(item.entry_id)
            title = entry.question(who.lang) if entry is not None else item.entry_id
            lines.append(
                _("• {title} ({entry}): 👎 {down} / 👍 {up}").format(
                    title=escape(title), entry=escape(item.entry_id), down=item.down, up=item.up
                )
            )
    await _send(update, "\n".join(lines))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # One more button on the /inbox overview, beside the requests and volunteer applications.
    add_section(
        InboxSection(
            "questions", N_("❓ Questions waiting ({count})"), _count_unanswered, _list_unanswered
        )
    )
    app.add_handler(REPLY.conversation())
    app.bot_data.on_free_text = free_text  # people's fallback: typed text is a question
    app.bot_data.answer_in_form = answer_in_form  # the kit's Flows: a question mid-form
    app.add_handler(CommandHandler("ask", ask_command))
    app.add_handler(CallbackQueryHandler(ask_command, pattern=r"^menu:ask$"))
    app.add_handler(CommandHandler("kbgaps", kbgaps))
    app.add_handler(CallbackQueryHandler(kbgaps, pattern=r"^menu:kbgaps$"))
    app.add_handler(CallbackQueryHandler(show_entry, pattern=pattern("kb", "show")))
    app.add_handler(CallbackQueryHandler(vote, pattern=pattern("kb", "up")))
    app.add_handler(CallbackQueryHandler(vote, pattern=pattern("kb", "dn")))
    app.add_handler(CallbackQueryHandler(to_human, pattern=pattern("kb", "human")))
    app.add_handler(CallbackQueryHandler(station_chosen, pattern=pattern("kb", "st")))
    app.add_handler(CallbackQueryHandler(consent_given, pattern=pattern("kb", "agree")))
    app.add_handler(CallbackQueryHandler(nothing_sent, pattern=r"^kb:x$"))
    app.add_handler(CallbackQueryHandler(close_question, pattern=pattern("qa", "close")))
    app.add_handler(CallbackQueryHandler(inbox_questions, pattern=r"^inbox:questions$"))
