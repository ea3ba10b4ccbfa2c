"""/inbox: the station's requests and volunteer applications, for its workers and its head.

The overview has one button per section (`SECTIONS`, a plain list: another journey adds its own
with `add_section`). Lists, details and the one-tap actions (accept, start, hand over, approve)
are stand-alone buttons (`ib:…`) that carry the id and re-check, in the service, both the
person's station and the request's current state; so a notification's Accept pressed late, or
by a second worker, says who already has it, and a forged id from another station shows nothing.

Completing (with a note of what was done) and declining (with a reason) need typed text, so
they run as a small conversation (`inbox_note`, `inbox.mmd`): type, see it back, then send.
A phone number in the note is pointed out first, with the kit's one warning (`phone_warning`,
as /log's note): «Remove the number» or «Keep as typed», then the note is seen back.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from handlers.cases import file_button, offer_text
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import TEXT, cancelled_text, consuming, reask_text
from handlers.kit.i18n import N_, Gettext
from handlers.kit.screen import answer_press, show, show_surely
from handlers.kit.steps import phone_warning
from handlers.kit.wiring import add_presses, persistent_conversation
from handlers.kit.words import day_label, only_for
from handlers.requests import request_notices
from handlers.requests.request_labels import (
    STATUS_LABELS,
    VOLUNTEER_STATUS_LABELS,
    application_card,
    excerpt,
    join_list,
    label,
    request_button,
    request_card,
    station_name,
)
from services import cases, privacy, walk_ins
from services import requests as rq
from services import volunteers as vol
from services.errors import DomainError, InvalidValue, NotAllowed, NotFound
from services.people import STATION_HEAD, WORKER
from services.phones import mask_phones, phones_in
from services.requests import RequestView

PAGE = 8
END = ConversationHandler.END


@dataclass(frozen=True)
class InboxSection:
    """One button of the inbox overview. `label` is a msgid with `{count}`."""

    code: str  # the button sends `ib:sec:<code>`
    label: str
    count: Callable[[Context, Speaker], Awaitable[int]]
    show: Callable[[Update, Context, Speaker, int], Awaitable[None]]  # (…, page)


SECTIONS: list[InboxSection] = []


def add_section(section: InboxSection) -> None:
    """For other journeys (e.g. unanswered questions): one more button on the overview."""
    if all(s.code != section.code for s in SECTIONS):
        SECTIONS.append(section)


def may_use_inbox(who: Speaker) -> bool:
    return bool(rq.handled_stations(who.access))


# --- sections of requests --------------------------------------------------------------------

REQUEST_SECTIONS = {
    "new": (rq.SUBMITTED,),
    "accepted": (rq.ACCEPTED,),
    "in_progress": (rq.IN_PROGRESS,),
    "closed": rq.CLOSED_STATUSES,
}
SECTION_OF_STATUS = {s: code for code, statuses in REQUEST_SECTIONS.items() for s in statuses}


def _request_counter(code: str) -> Callable[[Context, Speaker], Awaitable[int]]:
    async def count(context: Context, who: Speaker) -> int:
        counts = await context.bot_data.use_case(rq.counts_for_staff, actor=who.access)
        return sum(counts[s] for s in REQUEST_SECTIONS[code])

    return count


def _request_lister(
    code: str, title: str
) -> Callable[[Update, Context, Speaker, int], Awaitable[None]]:
    async def list_requests(update: Update, context: Context, who: Speaker, page: int) -> None:
        _ = who.gettext
        data = context.bot_data
        views, total = await data.use_case(
            rq.list_for_staff,
            actor=who.access,
            statuses=REQUEST_SECTIONS[code],
            offset=page * PAGE,
            limit=PAGE,
        )
        text = f"<b>{_(title).format(count=total)}</b>"
        if not views:
            text += "\n" + _("Nothing here at the moment.")
        else:
            text += "\n" + (
                _("Choose a request to see it.")  # closed: nothing left to act on
                if code == "closed"
                else _("Choose a request to see it and act on it.")
            )
        rows = [
            [InlineKeyboardButton(
                request_button(_, data.knowledge, who.lang, data.clock.zone, v),
                callback_data=f"ib:rq:{v.id}",
            )]
            for v in views
        ]  # fmt: skip
        await show(update, text, InlineKeyboardMarkup(rows + _pager(_, code, page, total)))

    return list_requests


def _pager(_: Gettext, code: str, page: int, total: int) -> list[list[InlineKeyboardButton]]:
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(_("‹ Previous"), callback_data=f"ib:sec:{code}:{page - 1}"))
    if (page + 1) * PAGE < total:
        row.append(InlineKeyboardButton(_("Next ›"), callback_data=f"ib:sec:{code}:{page + 1}"))
    home = [InlineKeyboardButton(_("« Inbox"), callback_data="ib:home")]
    return [row, home] if row else [home]


async def _count_applications(context: Context, who: Speaker) -> int:
    async with context.bot_data.uow() as uow:
        return (await vol.pending_for_staff(uow, actor=who.access, limit=1))[1]


async def _list_applications(update: Update, context: Context, who: Speaker, page: int) -> None:
    _ = who.gettext
    views, total = await context.bot_data.use_case(
        vol.pending_for_staff, actor=who.access, offset=page * PAGE, limit=PAGE
    )
    text = "<b>" + _("🤝 Volunteer applications ({count})").format(count=total) + "</b>"
    text += "\n" + (
        _("Nothing here at the moment.") if not views else _("Choose one to review it.")
    )
    rows = [
        [InlineKeyboardButton(
            f"{excerpt(v.name or _('(erased)'), 24)} · {day_label(_, v.created_at.astimezone(context.bot_data.clock.zone).date())}",
            callback_data=f"ib:vol:{v.id}",
        )]
        for v in views
    ]  # fmt: skip
    await show(update, text, InlineKeyboardMarkup(rows + _pager(_, "volunteers", page, total)))


# --- overview and lists -----------------------------------------------------------------------


async def _refuse(update: Update, who: Speaker) -> None:
    text = only_for(who, WORKER, STATION_HEAD)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_chat is not None:
        await update.effective_chat.send_message(text)


async def overview(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    if not may_use_inbox(who):
        await _refuse(update, who)
        return
    data = context.bot_data
    stations = join_list(
        who.lang,
        (
            escape(station_name(data.knowledge, code, who.lang))
            for code in sorted(rq.handled_stations(who.access))
        ),
    )
    text = "<b>" + _("📥 Inbox") + "</b> · " + stations + "\n" + _("What would you like to see?")
    rows = []
    for section in SECTIONS:
        count = await section.count(context, who)
        rows.append(
            [
                InlineKeyboardButton(
                    _(section.label).format(count=count), callback_data=f"ib:sec:{section.code}:0"
                )
            ]
        )
    rows.append([InlineKeyboardButton(_("📋 Register a request"), callback_data="menu:register"),
                 InlineKeyboardButton(_("📁 Cases"), callback_data="menu:cases")])  # fmt: skip
    new = update.callback_query is None or (update.callback_query.data or "").startswith("menu:")
    await show(update, text, InlineKeyboardMarkup(rows), new=new)


async def section_chosen(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    if not may_use_inbox(who):
        await _refuse(update, who)
        return
    query, press = context.button(update)
    code, page = press.arg(0) or "", press.int_arg(1) or 0
    section = next((s for s in SECTIONS if s.code == code), None)
    if section is None:
        await query.answer(
            _("This button has expired. Please start again from the menu."),
            show_alert=True,
        )
        return
    await section.show(update, context, who, max(0, page))


# --- one request -------------------------------------------------------------------------------


def _id(update: Update, context: Context, index: int = 0) -> int:
    """The id the pressed `ib:<kind>:<id>[:<id>]` carries, read by the kit's codec; a missing
    or forged one (not digits, past a database integer) is -1, which no request has, so the
    service refuses it (NotFound) and nothing changes."""
    press = context.press(update)
    found = press.int_arg(index) if press is not None else None
    return -1 if found is None else found


def request_actions(_: Gettext, who: Speaker, view: RequestView) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    mine = view.assignee_id == who.access.person_id or view.station_code in who.access.head_stations
    i = view.id
    if view.status == rq.SUBMITTED:
        rows.append([InlineKeyboardButton(_("✅ Accept"), callback_data=f"ib:acc:{i}"),
                     InlineKeyboardButton(_("✖ Decline"), callback_data=f"ib:decl:{i}")])  # fmt: skip
    elif view.status in (rq.ACCEPTED, rq.IN_PROGRESS) and mine:
        if view.status == rq.ACCEPTED:
            rows.append([InlineKeyboardButton(_("🔧 Start work"), callback_data=f"ib:go:{i}")])
        else:
            rows.append([InlineKeyboardButton(_("✔️ Complete"), callback_data=f"ib:done:{i}")])
        rows.append([InlineKeyboardButton(_("🤝 Hand over"), callback_data=f"ib:hand:{i}"),
                     InlineKeyboardButton(_("✖ Decline"), callback_data=f"ib:decl:{i}")])  # fmt: skip
    if view.status not in (rq.DECLINED, rq.CANCELLED):  # handlers.cases opens it
        rows.append([InlineKeyboardButton(_("📁 Open as a case"), callback_data=f"cs:fromrq:{i}")])
    if (
        view.registered_by_staff
        and not view.erased
        and view.station_code in who.access.head_stations
    ):
        # A walk-in has no /forget: the notice read to them promises the station erases on request.
        rows.append(
            [InlineKeyboardButton(_("🗑 Erase the resident's details"), callback_data=f"ib:wkx:{i}")]
        )
    if view.registered_by_staff and view.station_code in who.access.head_stations:
        # Nor /mydata: the station gives them the file on request (also after erasure: what
        # is still kept).
        rows.append(
            [
                InlineKeyboardButton(
                    _("📄 Export the resident's details"), callback_data=f"ib:wkd:{i}"
                )
            ]
        )
    section = SECTION_OF_STATUS.get(view.status, "new")
    rows.append([InlineKeyboardButton(_("« Back to the list"), callback_data=f"ib:sec:{section}:0"),
                 InlineKeyboardButton(_("« Inbox"), callback_data="ib:home")])  # fmt: skip
    return InlineKeyboardMarkup(rows)


@dataclass(frozen=True)
class Subject:
    """What an inbox card is about, a request or a volunteer application: how to read it as it
    now is, show it, and say why a press changed nothing (one way for both)."""

    fetch: Callable[[Any, int, Any], Awaitable[Any]]  # (uow, id, actor) -> view
    card: Callable[[Gettext, Context, Speaker, Any], str]
    actions: Callable[[Gettext, Speaker, Any], InlineKeyboardMarkup]
    not_yours: Callable[[Gettext], str]
    gone: Callable[[Gettext], str]
    conflict: Callable[[Gettext, DomainError], str]  # taken, decided, cancelled …


async def _show(
    subject: Subject,
    update: Update,
    context: Context,
    who: Speaker,
    view: Any,
    note: str | None = None,
    *,
    answered: bool = False,
) -> None:
    _ = who.gettext
    text = subject.card(_, context, who, view)
    if note:
        text = note + "\n\n" + text
    await show(update, text, subject.actions(_, who, view), answered=answered)


async def _explain(
    subject: Subject,
    update: Update,
    context: Context,
    who: Speaker,
    error: DomainError,
    subject_id: int,
) -> None:
    """Say why nothing changed; show the card as it now is when the person may see it."""
    _ = who.gettext
    query = update.callback_query
    assert query is not None
    if isinstance(error, NotAllowed | NotFound):
        text = subject.not_yours(_) if isinstance(error, NotAllowed) else subject.gone(_)
        await query.answer(text, show_alert=True)
        return
    await query.answer(subject.conflict(_, error), show_alert=True)
    await _show_current(subject, update, context, who, subject_id, answered=True)


async def _show_current(
    subject: Subject,
    update: Update,
    context: Context,
    who: Speaker,
    subject_id: int,
    *,
    answered: bool = False,
) -> None:
    """The card as it now is; when it cannot be shown, say why (unless `answered` already)."""
    try:
        view = await context.bot_data.use_case(subject.fetch, subject_id, who.access)
    except DomainError as error:
        if not answered:
            await _explain(subject, update, context, who, error, subject_id)
        return
    await _show(subject, update, context, who, view, answered=answered)


def _request_conflict(_: Gettext, error: DomainError) -> str:
    if isinstance(error, rq.AlreadyTaken):
        return (
            _("You have already accepted this request.")
            if error.by_you
            else _("{name} has already accepted this request.").format(
                name=error.holder_name or _("A colleague")
            )
        )
    if isinstance(error, rq.IllegalTransition) and error.from_status == rq.CANCELLED:
        return _("The resident has cancelled this request, so nothing more is needed.")
    if isinstance(error, rq.IllegalTransition):
        return _("This request is now: {status}. Nothing was changed.").format(
            status=label(_, STATUS_LABELS, error.from_status)
        )
    return _("Nothing was changed.")


def _staff_card(card: Any) -> Callable[[Gettext, Context, Speaker, Any], str]:
    def render(_: Gettext, context: Context, who: Speaker, view: Any) -> str:
        data = context.bot_data
        text: str = card(_, data.knowledge, who.lang, data.clock.zone, view, for_staff=True)
        return text

    return render


REQUEST = Subject(
    fetch=lambda uow, i, actor: rq.detail(uow, request_id=i, actor=actor),
    card=_staff_card(request_card),
    actions=request_actions,
    not_yours=lambda _: _("This is not a request of your station, so you cannot see it."),
    gone=lambda _: _("This request no longer exists."),
    conflict=_request_conflict,
)
_show_request = partial(_show, REQUEST)
_problem = partial(_explain, REQUEST)


async def _detail(subject: Subject, update: Update, context: Context) -> None:
    """The pressed request or application as it stands now."""
    who = await context.person(update)
    await _show_current(subject, update, context, who, _id(update, context))


request_detail = partial(_detail, REQUEST)


async def _moved(
    update: Update,
    context: Context,
    move: Callable[..., Awaitable[RequestView]],
    note: Callable[[Gettext, RequestView], str] | None = None,
) -> None:
    """A one-tap move of the request (`rq.accept`, `rq.start`). Committed: the resident's notice
    goes into the ledger before anything can fail on this worker's screen, the worker's answer
    (a new message when the edit fails), then the outbox sends the notice."""
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    request_id = _id(update, context)
    try:
        view = await data.use_case(
            move, request_id=request_id, actor=who.access, now=data.clock.now()
        )
    except DomainError as error:
        await _problem(update, context, who, error, request_id)
        return
    keys = await request_notices.record(context, request_notices.resident_notices(context, view))
    text = REQUEST.card(_, context, who, view)
    if note is not None:
        text = note(_, view) + "\n\n" + text
    await show_surely(update, text, request_actions(_, who, view))
    await request_notices.deliver(context, keys)


async def erase_walk_in_asked(update: Update, context: Context) -> None:
    """A walk-in resident asked the station to erase what it keeps about them: say what goes
    and what stays, and ask once more (it cannot be undone)."""
    who = await context.person(update)
    _ = who.gettext
    i = _id(update, context)
    text = _(
        "Erase this resident's personal details? Their name, phone, village and address, the "
        "situation, the notes, and the same in any case opened from this request are blanked; "
        "the station's counts stay. This cannot be undone."
    )
    rows = [
        [InlineKeyboardButton(_("🗑 Erase"), callback_data=f"ib:wkxy:{i}")],
        [InlineKeyboardButton(_("« Back"), callback_data=f"ib:rq:{i}")],
    ]
    await show_surely(update, text, InlineKeyboardMarkup(rows))


async def erase_walk_in(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    i = _id(update, context)
    try:
        erased = await data.use_case(
            walk_ins.erase, request_id=i, actor=who.access, now=data.clock.now()
        )
        view = await data.use_case(rq.detail, request_id=i, actor=who.access)
    except DomainError as error:
        await _problem(update, context, who, error, i)
        return
    note = (
        _("🗑 The resident's personal details are erased.")
        if erased
        else _("They had been erased already.")
    )
    text = note + "\n\n" + REQUEST.card(_, context, who, view)
    await show_surely(update, text, request_actions(_, who, view))


async def export_walk_in(update: Update, context: Context) -> None:
    """A walk-in resident asked what the station keeps about them (they have no /mydata): the
    head gets the file, as /mydata's, to pass on; the card stays as it is."""
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    i = _id(update, context)
    if not who.access.head_stations:  # a worker (a forged press): whose button it is
        query = update.callback_query
        assert query is not None
        await query.answer(only_for(who, STATION_HEAD), show_alert=True)
        return
    try:
        document = await data.use_case(
            privacy.export_walk_in, request_id=i, actor=who.access, now=data.clock.now()
        )
    except DomainError as error:
        await _problem(update, context, who, error, i)
        return
    content = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    ref = str(document["service_requests"][0]["ref"])
    await answer_press(update)
    if update.effective_chat is None:
        return
    await update.effective_chat.send_document(
        document=InputFile(content, filename=f"walk-in-{ref}.json"),
        caption=_(
            "Everything the station holds about the resident of {ref}, as a JSON file (the "
            "same as a resident's /mydata), to give to them. This export is recorded."
        ).format(ref=escape(ref)),
    )


async def accept(update: Update, context: Context) -> None:
    await _moved(
        update,
        context,
        rq.accept,
        _accepted_note,
    )


def _no_phone_note(_: Gettext, view: RequestView) -> str:
    """How to reach a walk-in who gave no phone: in person, at the address when given; an
    urgent one cannot wait for them to come in, so it says to visit them."""
    village = escape(view.village or "—")
    if view.urgent and view.address:
        return "⚠️ " + _(
            "It is urgent and the resident gave no phone number, so they cannot be called: "
            "please visit them as soon as possible, at {address} ({village})."
        ).format(address=escape(view.address), village=village)
    if view.urgent:
        return "⚠️ " + _(
            "It is urgent and the resident gave no phone number, so they cannot be called: "
            "please visit them as soon as possible; their village or community ({village}) "
            "can tell you where they live."
        ).format(village=village)
    if view.address:
        return _(
            "The resident gave no phone number, so they cannot be called. Reach them in "
            "person: at {address} ({village}), or through their village or community."
        ).format(address=escape(view.address), village=village)
    return _(
        "The resident gave no phone number, so they cannot be called. Reach them in person, "
        "through their village or community ({village})."
    ).format(village=village)


def _accepted_note(_: Gettext, view: RequestView) -> str:
    if view.registered_by_staff:  # a walk-in: no bot user to tell
        note = "✅ " + _("You have accepted {ref}.").format(ref=escape(view.ref))
        if not view.phone and not view.erased:
            note += "\n" + _no_phone_note(_, view)
        return note
    note = "✅ " + _("You have accepted {ref}. The resident has been told.").format(
        ref=escape(view.ref)
    )
    if view.erased:  # after /forget the card shows no phone: say how they can be reached
        note += "\n" + _(
            "The resident erased their personal details, so there is no phone number. They "
            "can be reached only through this bot: they are told here when you start work, "
            "and see your note when you complete the request."
        )
    return note


async def start_work(update: Update, context: Context) -> None:
    await _moved(update, context, rq.start)


async def hand_over_choose(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    request_id = _id(update, context)
    try:
        async with context.bot_data.uow() as uow:
            view = await rq.detail(uow, request_id=request_id, actor=who.access)
            colleagues = await rq.handover_candidates(uow, request_id=request_id, actor=who.access)
    except DomainError as error:
        await _problem(update, context, who, error, request_id)
        return
    rows = [
        [
            InlineKeyboardButton(
                c.name or f"#{c.person_id}", callback_data=f"ib:to:{request_id}:{c.person_id}"
            )
        ]
        for c in colleagues
    ]
    rows.append([InlineKeyboardButton(_("« Back"), callback_data=f"ib:rq:{request_id}")])
    text = _("Hand {ref} to whom?").format(ref=escape(view.ref))
    if not colleagues:
        text = _("There is nobody else at the station to hand {ref} to.").format(
            ref=escape(view.ref)
        )
    await show(update, text, InlineKeyboardMarkup(rows))


async def hand_over(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    request_id, to_person = _id(update, context), _id(update, context, 1)
    try:
        view = await data.use_case(
            rq.hand_over,
            request_id=request_id,
            actor=who.access,
            to_person_id=to_person,
            now=data.clock.now(),
        )
    except InvalidValue:
        assert update.callback_query is not None
        await update.callback_query.answer(_("Nothing was changed."), show_alert=True)
        return
    except DomainError as error:
        await _problem(update, context, who, error, request_id)
        return
    note = "🤝 " + _("{ref} is now with {name}.").format(
        ref=escape(view.ref), name=escape(view.assignee_name or "")
    )
    await _show_request(update, context, who, view, note)
    await request_notices.assignee_told_handed_over(context, view)


# --- volunteer applications ------------------------------------------------------------------


def application_actions(_: Gettext, view: vol.ApplicationView) -> InlineKeyboardMarkup:
    rows = []
    if view.status == vol.PENDING:
        rows.append(request_notices.application_buttons(_, view).inline_keyboard[0])
    rows.append((InlineKeyboardButton(_("« Back to the list"), callback_data="ib:sec:volunteers:0"),
                 InlineKeyboardButton(_("« Inbox"), callback_data="ib:home")))  # fmt: skip
    return InlineKeyboardMarkup(rows)


def _application_conflict(_: Gettext, error: DomainError) -> str:
    if isinstance(error, vol.AlreadyDecided) and error.status == vol.WITHDRAWN:
        return _("The applicant has withdrawn this application, so nothing more is needed.")
    if isinstance(error, vol.AlreadyDecided):
        return _("This application has already been decided: {status}.").format(
            status=label(_, VOLUNTEER_STATUS_LABELS, error.status)
        )
    return _("Nothing was changed.")


APPLICATION = Subject(
    fetch=lambda uow, i, actor: vol.detail(uow, application_id=i, actor=actor),
    card=_staff_card(application_card),
    actions=lambda _, who, view: application_actions(_, view),
    not_yours=lambda _: _("This is not an application to your station, so you cannot see it."),
    gone=lambda _: _("This application no longer exists."),
    conflict=_application_conflict,
)
_application_problem = partial(_explain, APPLICATION)


application_detail = partial(_detail, APPLICATION)


async def _decide(
    update: Update,
    context: Context,
    who: Speaker,
    application_id: int,
    approve: bool,
    reason: str | None,
    new: bool = False,
) -> bool:
    _ = who.gettext
    data = context.bot_data
    try:
        view = await data.use_case(
            vol.decide, application_id=application_id, actor=who.access, approve=approve,
            reason=reason, now=data.clock.now(),
        )  # fmt: skip
    except DomainError as error:
        if update.callback_query is not None and not new:
            await _application_problem(update, context, who, error, application_id)
        else:
            await show(update, _("Nothing was changed."), new=True)
        return False
    note = "✅ " + (
        _("Approved. The volunteer has been told.")
        if approve
        else _("Declined. The applicant has been told.")
    )
    data_text = application_card(
        who.gettext, data.knowledge, who.lang, data.clock.zone, view, for_staff=True
    )
    # Committed: the applicant's notice goes into the ledger before this screen can fail.
    keys = await request_notices.record(context, request_notices.applicant_notices(context, view))
    markup = application_actions(who.gettext, view)
    await show_surely(update, note + "\n\n" + data_text, markup, new=new)
    await request_notices.deliver(context, keys)
    return True


async def approve(update: Update, context: Context) -> None:
    who = await context.person(update)
    await _decide(update, context, who, _id(update, context), True, None)


# --- complete / decline with a note: the inbox_note conversation ----------------------------

NOTE_DRAFT = "inbox_note"
NOTE, CHECK, PHONES = "note", "check", "phones"
COMPLETE, DECLINE, VOLUNTEER_DECLINE = "done", "decl", "vno"


def _note_prompt(_: Gettext, action: str, subject: str, walk_in: bool = False) -> str:
    if walk_in and action in (COMPLETE, DECLINE):  # registered at /register: nobody to tell
        if action == COMPLETE:
            return _(
                "Completing {ref}: please type a short note of what was done (kept with the "
                "request; the resident is not on the bot)."
            ).format(ref=subject)
        return _(
            "Declining {ref}: please type the reason (kept with the request; the resident is "
            "not on the bot, so tell them in person)."
        ).format(ref=subject)
    if action == COMPLETE:
        return _(
            "Completing {ref}: please type a short note of what was done (the resident will see it)."
        ).format(ref=subject)
    if action == DECLINE:
        return _("Declining {ref}: please type the reason (the resident will see it).").format(
            ref=subject
        )
    return _(
        "Declining the application of {name}: type a reason (the applicant will see it), or decline without one."
    ).format(name=subject)


def _note_buttons(_: Gettext, action: str) -> InlineKeyboardMarkup:
    rows = []
    if action == VOLUNTEER_DECLINE:
        rows.append([InlineKeyboardButton(_("Decline without a reason"), callback_data="ibn:skip")])
    rows.append([InlineKeyboardButton(_("✖ Cancel"), callback_data="ibn:cancel")])
    return InlineKeyboardMarkup(rows)


async def note_start(update: Update, context: Context) -> str | int:
    who = await context.person(update)
    _ = who.gettext
    press = context.button(update)[1]
    action, target = press.kind, _id(update, context)
    walk_in = False
    try:
        async with context.bot_data.uow() as uow:
            if action == VOLUNTEER_DECLINE:
                application = await vol.detail(uow, application_id=target, actor=who.access)
                if application.status != vol.PENDING:
                    raise vol.AlreadyDecided(application.status, application.decided_by_name)
                subject = escape(application.name or _("(erased)"))
            else:
                view = await rq.detail(uow, request_id=target, actor=who.access)
                rq.check_transition(
                    view.status, rq.COMPLETED if action == COMPLETE else rq.DECLINED
                )
                subject = escape(view.ref)
                walk_in = view.registered_by_staff
    except DomainError as error:
        if action == VOLUNTEER_DECLINE:
            await _application_problem(update, context, who, error, target)
        else:
            await _problem(update, context, who, error, target)
        return END
    assert context.user_data is not None
    context.user_data[NOTE_DRAFT] = {
        "action": action,
        "id": target,
        "subject": subject,
        "walk_in": action != VOLUNTEER_DECLINE and walk_in,
    }
    prompt = _note_prompt(_, action, subject, context.user_data[NOTE_DRAFT]["walk_in"])
    await show(update, prompt, _note_buttons(_, action), new=True)
    return NOTE


async def note_typed(update: Update, context: Context) -> str:
    who = await context.person(update)
    _ = who.gettext
    assert context.user_data is not None
    draft = context.user_data.get(NOTE_DRAFT) or {}
    message = update.effective_message
    text = message.text if message is not None and message.text else ""
    if len(text) > rq.MAX_NOTE:
        await show(
            update,
            _("That is {count} characters; please keep it to 1000 or fewer.").format(
                count=len(text)
            ),
            _note_buttons(_, draft.get("action", "")),
            new=True,
        )
        return NOTE
    draft["text"] = text
    context.user_data[NOTE_DRAFT] = draft
    if phones_in(text):  # read by the resident and kept: the kit's one warning first
        screen = phone_warning(who, text, "ibn")
        await show(update, screen.text, InlineKeyboardMarkup(screen.rows), new=True)
        return PHONES
    return await _note_preview(update, who, draft)


async def note_phones(update: Update, context: Context) -> str:
    """«Remove the number» (its digits become *) or «Keep as typed»: then the note's preview."""
    who = await context.person(update)
    assert context.user_data is not None
    draft = context.user_data.get(NOTE_DRAFT) or {}
    if context.button(update)[1].kind == "phmask":
        draft["text"] = mask_phones(draft.get("text") or "")
        context.user_data[NOTE_DRAFT] = draft
    return await _note_preview(update, who, draft)


async def _note_preview(update: Update, who: Speaker, draft: dict[str, Any]) -> str:
    _ = who.gettext
    text = draft.get("text") or ""
    question = {
        COMPLETE: _("Complete {ref} with this note?"),
        DECLINE: _("Decline {ref} with this reason?"),
    }.get(draft.get("action", ""), _("Decline the application of {name} with this reason?"))
    preview = (
        question.format(ref=draft.get("subject", ""), name=draft.get("subject", ""))
        + "\n\n“"
        + escape(text)
        + "”"
    )
    buttons = InlineKeyboardMarkup(
        # A walk-in's note is kept with the request, sent to nobody.
        [[InlineKeyboardButton(_("✅ Save") if draft.get("walk_in") else _("✅ Send"),
                               callback_data="ibn:ok"),
          InlineKeyboardButton(_("✖ Cancel"), callback_data="ibn:cancel")]]
    )  # fmt: skip
    await show(
        update,
        preview + "\n\n" + _("(To change it, just type it again.)"),
        buttons,
        new=update.callback_query is None,
    )
    return CHECK


async def note_send(update: Update, context: Context) -> int:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    assert context.user_data is not None
    draft = context.user_data.pop(NOTE_DRAFT, None) or {}
    action, target, text = draft.get("action"), int(draft.get("id", -1)), draft.get("text")
    query = update.callback_query
    if action == VOLUNTEER_DECLINE:
        await _decide(
            update, context, who, target, False, text if query and query.data == "ibn:ok" else None
        )
        return END
    try:
        async with data.uow() as uow:
            if action == COMPLETE:
                view = await rq.complete(
                    uow, request_id=target, actor=who.access, note=text or "", now=data.clock.now()
                )
            else:
                view = await rq.decline(
                    uow,
                    request_id=target,
                    actor=who.access,
                    reason=text or "",
                    now=data.clock.now(),
                )
    except DomainError as error:
        await _problem(update, context, who, error, target)
        return END
    # A walk-in registered at /register is not on the bot: nobody was told.
    done = _("Done.") if view.registered_by_staff else _("Done. The resident has been told.")
    keys = await request_notices.record(context, request_notices.resident_notices(context, view))
    if action == COMPLETE:
        await _show_completed(update, context, who, view, "✅ " + done)
    else:
        await _show_request(update, context, who, view, "✅ " + done)
    await request_notices.deliver(context, keys)
    return END


async def _show_completed(
    update: Update, context: Context, who: Speaker, view: RequestView, note: str
) -> None:
    """The completed request, with the offer to file it as a service record of the person's
    open case (handlers.cases files it: `cs:file:<case>:<request>`), or to open one."""
    _ = who.gettext
    data = context.bot_data
    try:
        offered = await data.use_case(
            cases.cases_to_file, actor=who.access, request_id=view.id, catalog=data.knowledge.cases,
            now=data.clock.now(), zone=data.clock.zone,
        )  # fmt: skip
    except DomainError:  # the completion stands; the resident's notice must still leave
        offered = []
    if offered:
        note += "\n" + offer_text(_, offered[0])
        rows = [[file_button(_, case, view.id)] for case in offered[:3]]
    else:
        note += "\n" + _("To file it as a service record, open a case for it.")
        rows = []
    text = request_card(_, data.knowledge, who.lang, data.clock.zone, view, for_staff=True)
    actions = request_actions(_, who, view).inline_keyboard
    await show(update, note + "\n\n" + text, InlineKeyboardMarkup([*rows, *actions]))


async def note_cancel(update: Update, context: Context) -> int:
    who = await context.person(update)
    _ = who.gettext
    assert context.user_data is not None
    context.user_data.pop(NOTE_DRAFT, None)
    await show(update, cancelled_text(_), new=update.callback_query is None)
    return END


async def note_reask(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    assert context.user_data is not None
    draft = context.user_data.get(NOTE_DRAFT) or {}
    text = (
        reask_text(_, TEXT)
        + "\n\n"
        + _note_prompt(
            _, draft.get("action", ""), draft.get("subject", ""), bool(draft.get("walk_in"))
        )
    )
    await show(update, text, _note_buttons(_, draft.get("action", "")), new=True)


async def _let_through(update: Update, context: Context) -> int:
    """A command or another button while a note is awaited: nothing is changed, and the
    update goes on to the handler it was meant for."""
    assert context.user_data is not None
    context.user_data.pop(NOTE_DRAFT, None)
    return END


def note_conversation() -> ConversationHandler[Context]:
    """Registered in group -1: typed notes are caught before the general text handlers, while
    a command or another button ends it and passes on, so a worker is never stuck in it."""
    text = filters.TEXT & ~filters.COMMAND
    waiting: list[BaseHandler[Update, Context, Any]] = [
        MessageHandler(text, consuming(note_typed)),
        CommandHandler("cancel", consuming(note_cancel)),
        CallbackQueryHandler(consuming(note_cancel), pattern=r"^ibn:cancel$"),
        MessageHandler(filters.COMMAND, _let_through),
        MessageHandler(filters.ALL, consuming(note_reask)),
    ]
    return persistent_conversation(
        "inbox_note",
        [CallbackQueryHandler(consuming(note_start), pattern=r"^ib:(done|decl|vno):\d+$")],
        {
            NOTE: [
                CallbackQueryHandler(consuming(note_send), pattern=r"^ibn:skip$"),
                *waiting,
                CallbackQueryHandler(_let_through),
            ],
            PHONES: [
                CallbackQueryHandler(consuming(note_phones), pattern=r"^ibn:ph(mask|keep)$"),
                *waiting,
                CallbackQueryHandler(_let_through),
            ],
            CHECK: [
                CallbackQueryHandler(consuming(note_send), pattern=r"^ibn:ok$"),
                *waiting,
                CallbackQueryHandler(_let_through),
            ],
        },
    )


def add_own_sections() -> None:
    """The request and volunteer sections, added when the application is built."""
    for code, msgid in (
        ("new", N_("🆕 New ({count})")),
        ("accepted", N_("✅ Accepted ({count})")),
        ("in_progress", N_("🔧 In progress ({count})")),
        ("closed", N_("🗂 Closed ({count})")),
    ):
        add_section(InboxSection(code, msgid, _request_counter(code), _request_lister(code, msgid)))
    add_section(
        InboxSection(
            "volunteers",
            N_("🤝 Volunteer applications ({count})"),
            _count_applications,
            _list_applications,
        )
    )


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    add_own_sections()
    app.add_handler(note_conversation(), group=-1)
    app.add_handler(CommandHandler("inbox", overview))
    add_presses(
        app,
        {
            r"^(menu:inbox|ib:home)$": overview,
            r"^ib:sec:\w+(:\d+)?$": section_chosen,
            r"^ib:rq:\d+$": request_detail,
            r"^ib:acc:\d+$": accept,
            r"^ib:go:\d+$": start_work,
            r"^ib:hand:\d+$": hand_over_choose,
            r"^ib:to:\d+:\d+$": hand_over,
            r"^ib:vol:\d+$": application_detail,
            r"^ib:vok:\d+$": approve,
            r"^ib:wkx:\d+$": erase_walk_in_asked,
            r"^ib:wkxy:\d+$": erase_walk_in,
            r"^ib:wkd:\d+$": export_walk_in,
        },
    )


__all__ = ["SECTIONS", "InboxSection", "add_section", "register"]
