"""Filing a completed request as a service record of the person's case, so nothing is typed
twice: offered by the inbox right after «✔️ Complete» (`cs:file:<case>:<request>`) and after
a case is opened from a completed request. A kit `Flow` (diagram: `file_request.mmd`):

    hours (the only thing the request does not say) → summary → Save

Save is one call of `services.cases.file_request`: the record (the service stage's template,
dated the day the request was completed, the request's service, the worker's completion note
as what was done) and its filing on the case in one unit of work; the card is shown again.
"""

from __future__ import annotations

import uuid
from datetime import date
from html import escape

from telegram import InlineKeyboardButton, Update

from handlers.cases import card
from handlers.kit.callbacks import encode
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import END, Draft, Flow, Outcome, Reask
from handlers.kit.i18n import Gettext, ngettext_of
from handlers.kit.screen import show
from handlers.kit.steps import confirm_step, date_refused, hours_step
from handlers.kit.words import day_label, hours_label, plural_n
from services import activities
from services import cases as cs
from services import requests as rq
from services.entry_window import DateRefused
from services.errors import InvalidValue, NotAllowed, NotFound

P = "fq"
HOURS = (30, 60, 90, 120, 180, 240)


def file_button(_: Gettext, summary: cs.CaseSummary, request_id: int) -> InlineKeyboardButton:
    """«📎 File on JN-C-0001»: the offer, wherever a completed request meets its case."""
    return InlineKeyboardButton(
        _("📎 File on {number}").format(number=summary.number),
        callback_data=encode("cs", "file", summary.id, request_id),
    )


def offer_text(_: Gettext, summary: cs.CaseSummary) -> str:
    return _("File this as a service record of {name}'s case {number}?").format(
        name=escape(summary.client_name or _("(erased)")), number=escape(summary.number)
    )


async def begin(update: Update, context: Context, who: Speaker) -> Draft | None:
    press = context.press(update)
    case_id = press.int_arg(0) if press is not None else None
    request_id = press.int_arg(1) if press is not None else None
    data = context.bot_data
    try:
        async with data.uow() as uow:
            request = await rq.detail(uow, request_id=request_id or 0, actor=who.access)
            offered = await cs.cases_to_file(
                uow, actor=who.access, request_id=request.id, **card.kw(context)
            )
    except (NotFound, NotAllowed) as error:
        await card.say_refusal(update, who, error)
        return None
    found = next((c for c in offered if c.id == case_id), None)
    if found is None:  # filed already, not completed, or not a case this person may change
        _ = who.gettext
        await show(
            update,
            _(
                "This request cannot be filed on that case: it is filed already, not "
                "completed, or the case is not yours to change. Nothing was changed."
            ),
        )
        return None
    completed = [e.at for e in request.events if e.to_status == rq.COMPLETED]
    day = completed[-1].astimezone(data.clock.zone).date() if completed else None
    return {
        "day": day.isoformat() if day else None,
        "case": found.id,
        "number": found.number,
        "name": found.client_name,
        "request": request.id,
        "ref": request.ref,
        "service": request.service_code,
        "note": request.completion_note,
        "token": uuid.uuid4().hex,
    }


def summary(_: Gettext, context: Context, who: Speaker, draft: Draft) -> str:
    service = context.bot_data.knowledge.services.name(draft.get("service") or "", who.lang)
    lines = [
        "<b>" + _("A service record of case {number}. Please check, then save:").format(
            number=escape(draft.get("number") or "")
        ) + "</b>",
        _("Person served: {name}").format(name=escape(draft.get("name") or _("(erased)"))),
        _("From request {ref}").format(ref=escape(draft.get("ref") or "")),
        _("Service: {service}").format(service=escape(service)),
        _("Date: {day} (the day the request was completed)").format(
            day=day_label(_, date.fromisoformat(draft["day"])) if draft.get("day") else "—"
        ),
        _("Hours: {hours}").format(hours=hours_label((draft.get("minutes") or 0) / 60)),
    ]  # fmt: skip
    if draft.get("note"):
        lines.append(_("What was done: “{note}”").format(note=escape(draft["note"])))
    return "\n".join(lines)


STEPS = (
    hours_step(
        "hours",
        prefix=P,
        text=lambda _, c, w, d: _(
            "📎 Filing {ref} on case {number}. How many hours did the work take?"
        ).format(ref=escape(d.get("ref") or ""), number=escape(d.get("number") or "")),
        minimum=activities.MIN_MINUTES,
        maximum=activities.MAX_MINUTES,
        step=None,
        offered=HOURS,
    ),
    confirm_step(
        "confirm",
        prefix=P,
        text=summary,
        save_label=lambda _: _("✅ File it"),
        edits=lambda _, d: [(_("Hours"), "hours")],
    ),
)


async def save(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
    _ = who.gettext
    data = context.bot_data

    async def invalid(problem: InvalidValue) -> str | int:
        if isinstance(problem, DateRefused):  # the completion day left the late-entry window
            await show(update, date_refused(_, context, draft, problem))
            return END
        if isinstance(problem, activities.DayLimitExceeded):
            raise Reask(
                ngettext_of(_)(
                    "That would make more than {hours} hour of work on that day.",
                    "That would make more than {hours} hours of work on that day.",
                    plural_n(problem.limit_minutes / 60),
                ).format(hours=hours_label(problem.limit_minutes / 60)),
                step="hours",
            )
        if problem.field == "hours":
            raise Reask(None, step="hours")
        await card.say_refusal(update, who, problem)
        return END

    return await card.saved(
        update, context, who,
        lambda uow: cs.file_request(
            uow, actor=who.access, case_id=int(draft["case"]), request_id=int(draft["request"]),
            minutes=int(draft.get("minutes") or 0), client_token=draft["token"],
            templates=data.knowledge.record_templates, rules=data.knowledge.record_rules,
            **card.kw(context),
        ),
        _("✅ Filed as a service record of {number}.").format(number=escape(draft["number"])),
        invalid,
    )  # fmt: skip


FLOW = Flow("filerequest", P, STEPS, begin, save, entry_patterns=(r"^cs:file:\d+:\d+$",),
            summary="confirm", allowed=card.case_staff)  # fmt: skip
