"""`/supervise`: a supervisor logs one session.

The /supervise journey is a kit `Flow` (diagram: `supervision.mmd`), the reference example
of a longer one: its steps are declared in `STEPS`, then one confirm (`save`) calls one service.
station (only when several are assigned) → day (today, yesterday, or another day of the
open window) → hours (0.5 to 8, in half hours: buttons, or typed) → online or offline →
topic (a catalogue button, or typed) → confirm. After saving, the station's standing for
that month is shown at once. The draft lives in `context.user_data["sup"]` (JSON only)
with a token, so a second Save press saves once.

The month's standing shown after saving is `/quota`'s (`handlers/work/quota.py`).
"""

from __future__ import annotations

from datetime import date
from functools import partial
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ConversationHandler,
)

from handlers.kit.callbacks import Press
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import END, WORK_IDLE, Draft, Flow, Outcome, Reask, Screen, Step
from handlers.kit.flow import TEXT as TEXT_INPUT
from handlers.kit.i18n import N_
from handlers.kit.keyboards import choices
from handlers.kit.screen import show
from handlers.kit.steps import (
    choice_step,
    date_refused,
    date_steps,
    hours_problem,
    hours_step,
    offered,
    phone_checked,
    typed_within,
)
from handlers.kit.words import day_label, hours_label
from handlers.work import work_forms
from handlers.work.quota import mode_label, quota_block
from services import supervision
from services.activities import DayLimitExceeded
from services.errors import InvalidValue, NotAllowed
from services.people import SUPERVISOR
from services.quota import OFFLINE, ONLINE

KEY = "sup"
STATION, DATE, DAY, HOURS, MODE, TOPIC, CONFIRM = range(7)
MIN_HOURS = supervision.MIN_MINUTES / 60
MAX_HOURS = supervision.MAX_MINUTES / 60
_hours_problem = partial(hours_problem, minimum=MIN_HOURS, maximum=MAX_HOURS)
PAGE = 25  # stations per page of the admin table


# --- /supervise: the draft and the steps ------------------------------------------------------
def _topic_name(context: Context, who: Speaker, draft: Draft) -> str:
    code = draft.get("topic_code")
    if code:
        topic = next(
            (t for t in context.bot_data.knowledge.supervision_topics if t.code == code), None
        )
        return topic.name(who.lang) if topic else code
    return str(draft.get("topic_text") or "")


def _summary(context: Context, who: Speaker, draft: Draft) -> str:
    _ = who.gettext
    return "\n".join(
        [
            _("Station: {station}").format(
                station=escape(work_forms.station_name(context, who, draft.get("station")))
            ),
            _("Day: {day}").format(day=day_label(_, date.fromisoformat(draft["date"]))),
            _("Hours: {hours}").format(hours=hours_label(draft["minutes"] / 60)),
            _("Mode: {mode}").format(mode=mode_label(_, draft["mode"])),
            _("Topic: {topic}").format(topic=escape(_topic_name(context, who, draft))),
        ]
        + (
            [
                _("Form: {form}").format(
                    form=_("individual") if draft["form"] == supervision.INDIVIDUAL else _("group")
                ),
                _("Supervised: {who}").format(who=escape(_supervisees_text(who, draft))),
            ]
            if draft.get("form")
            else []
        )
    )


async def begin(update: Update, context: Context, who: Speaker) -> Draft | None:
    """A fresh draft (see `work_forms.fresh_draft`) for a supervisor of one or more stations."""
    return await work_forms.fresh_draft(update, who, who.access.supervisor_stations, SUPERVISOR)


def _topics(context: Context, who: Speaker, draft: Draft) -> list[tuple[str, str]]:
    return [(t.name(who.lang), t.code) for t in context.bot_data.knowledge.supervision_topics]


async def on_topic(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    code = offered(press.arg(), {c for _, c in _topics(context, who, draft)})
    draft["topic_code"], draft["topic_text"] = code, None
    return None


async def on_typed_topic(
    update: Update, context: Context, who: Speaker, draft: Draft, text: str
) -> Outcome:
    _ = who.gettext
    text = typed_within(
        text,
        supervision.MAX_TOPIC,
        _("That is {length} characters long; please keep the topic under 200."),
    )
    draft["topic_code"], draft["topic_text"] = None, text
    return None


async def on_form(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    """Individual or group; the station's workers are read here, for the next step."""
    if press.arg() not in supervision.FORMS:
        raise Reask(None)
    draft["form"] = press.arg()
    async with context.bot_data.uow() as uow:
        try:
            workers = await supervision.station_workers(
                uow, supervisor_tg_id=who.tg_id, station_code=draft.get("station", "")
            )
        except NotAllowed:
            workers = []
    draft["workers"] = [[w.person_id, w.display_name or ""] for w in workers]
    draft.setdefault("supervisees", [])
    return None


def _render_who(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    chosen = set(draft.get("supervisees", []))
    rows = [
        [
            InlineKeyboardButton(
                ("☑️ " if pid in chosen else "◻️ ")
                + (name or _("Worker {number}").format(number=pid)),
                callback_data=f"{KEY}:sw:{pid}",
            )
        ]
        for pid, name in draft.get("workers", [])
    ]
    if draft.get("form") == supervision.INDIVIDUAL and not draft.get("workers"):
        # Most stations have no worker on the bot yet: nobody can be named, so say so and
        # offer what can be saved (the service takes an individual session without a name).
        return Screen(
            _(
                "No worker of this station is registered on the bot yet, so nobody can be "
                "chosen. Save the individual supervision without naming the worker, or record "
                "it as group supervision of the whole team."
            ),
            [
                [InlineKeyboardButton(_("Save without a name"), callback_data=f"{KEY}:swnone")],
                [InlineKeyboardButton(_("👥 Group: the whole team"), callback_data=f"{KEY}:swgrp")],
            ],
        )
    if draft.get("form") == supervision.INDIVIDUAL:  # one worker: no whole team to offer
        rows.append([InlineKeyboardButton(_("Done ✔"), callback_data=f"{KEY}:swdone")])
        return Screen(_("Who was supervised? Choose the worker."), rows)
    rows.append([InlineKeyboardButton(_("👥 The whole team"), callback_data=f"{KEY}:team")])
    rows.append([InlineKeyboardButton(_("Done ✔"), callback_data=f"{KEY}:swdone")])
    return Screen(_("Who was supervised? Choose one or several workers, or the whole team."), rows)


SUPERVISEES_PROBLEMS = {
    "individual_is_one": N_("Individual supervision is of one worker: choose exactly one."),
    "group_is_several": N_("A group is several workers: choose two or more, or the whole team."),
}


def _supervisees_reask(who: Speaker, draft: Draft, count: int, whole_team: bool) -> None:
    problem = supervision.supervisees_problem(draft.get("form"), count, whole_team)
    if problem is not None:
        raise Reask(who.gettext(SUPERVISEES_PROBLEMS[problem]))


async def on_supervisee(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    pid = offered(press.int_arg(), {w[0] for w in draft.get("workers", [])})
    chosen = list(draft.get("supervisees", []))
    chosen = [p for p in chosen if p != pid] if pid in chosen else [*chosen, pid]
    draft["supervisees"], draft["whole_team"] = chosen, False
    return "who"


async def on_team(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    _supervisees_reask(who, draft, 0, True)  # a forged press at an individual session
    draft["supervisees"], draft["whole_team"] = [], True
    return None


async def on_who_done(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    if not draft.get("supervisees") and not draft.get("whole_team"):
        raise Reask(who.gettext("Please choose at least one worker, or the whole team."))
    _supervisees_reask(who, draft, len(draft.get("supervisees", [])), bool(draft.get("whole_team")))
    return None


async def on_unnamed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    """An individual session at a station with no worker on the bot: saved without a name."""
    if draft.get("form") != supervision.INDIVIDUAL or draft.get("workers"):
        raise Reask(None)  # an old or forged press: the step again
    draft["supervisees"], draft["whole_team"] = [], False
    return None


async def on_no_worker_team(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    """At a station with no worker on the bot: group supervision of the whole team."""
    if draft.get("workers"):
        raise Reask(None)
    draft["form"], draft["supervisees"], draft["whole_team"] = supervision.GROUP, [], True
    return None


def _supervisees_text(who: Speaker, draft: Draft) -> str:
    _ = who.gettext
    if draft.get("whole_team"):
        return _("the whole team")
    if not draft.get("supervisees"):
        return _("not named (no worker of the station on the bot yet)")
    names = dict((pid, name) for pid, name in draft.get("workers", []))
    return "、".join(
        names.get(p) or _("Worker {number}").format(number=p) for p in draft.get("supervisees", [])
    )


DATE_STEP, DAY_STEP = date_steps(
    prefix=KEY,
    text=lambda _, context, who, draft: _("🧭 Supervision for {station}. Which day was it?").format(
        station=escape(work_forms.station_name(context, who, draft.get("station")))
    ),
    persisted=(DATE, DAY),
)
# The states persisted since the first release are the integers 0 to 6 (`persisted=`), so a
# supervisor in the middle of /supervise when this version starts goes on where they were.
STEPS = (
    work_forms.your_station_step(
        KEY,
        lambda who: who.access.supervisor_stations,
        lambda _, context, who, draft: _("🧭 Which station was the supervision for?"),
        persisted=STATION,
    ),
    DATE_STEP,
    DAY_STEP,
    hours_step(
        "hours",
        prefix=KEY,
        text=lambda _, context, who, draft: _(
            "How long was it? Choose, or type the hours (0.5 to 8, in half hours)."
        ),
        minimum=supervision.MIN_MINUTES,
        maximum=supervision.MAX_MINUTES,
        step=supervision.STEP_MINUTES,
        persisted=HOURS,
    ),
    choice_step(
        "mode",
        prefix=KEY,
        text=lambda _, context, who, draft: _("Was it online or offline (in person)?"),
        options=lambda context, who, draft: [
            (who.gettext("💻 Online"), ONLINE),
            (who.gettext("🤝 Offline"), OFFLINE),
        ],
        persisted=MODE,
    ),
    # A typed topic is a note like /log's: a phone number in it is pointed out (kit).
    phone_checked(
        Step(
            "topic",
            lambda context, who, draft: Screen(
                who.gettext(
                    "What was it about? Choose a topic, or type your own (up to 200 characters)."
                ),
                choices(
                    (label, f"{KEY}:topic:{code}") for label, code in _topics(context, who, draft)
                ),
            ),
            {"topic": on_topic},
            on_text=on_typed_topic,
            expects=TEXT_INPUT,
            persisted=TOPIC,
        ),
        key="topic_text",
        prefix=KEY,
    ),
    Step(
        "form",
        lambda context, who, draft: Screen(
            who.gettext("Was it individual supervision, or a group?"),
            [
                [
                    InlineKeyboardButton(
                        who.gettext("👤 Individual"),
                        callback_data=f"{KEY}:form:{supervision.INDIVIDUAL}",
                    ),
                    InlineKeyboardButton(
                        who.gettext("👥 Group"), callback_data=f"{KEY}:form:{supervision.GROUP}"
                    ),
                ]
            ],
        ),
        {"form": on_form},
    ),
    Step(
        "who",
        _render_who,
        {
            "sw": on_supervisee,
            "team": on_team,
            "swdone": on_who_done,
            "swnone": on_unnamed,
            "swgrp": on_no_worker_team,
        },
    ),
    work_forms.save_step(KEY, _summary, persisted=CONFIRM),
)


async def save(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
    """The confirm: one call of `supervision.log_session`, then the month's standing."""
    _ = who.gettext
    data = context.bot_data
    try:
        saved = await data.use_case(
            supervision.log_session,
            supervisor_tg_id=who.tg_id,
            station_code=draft.get("station", ""),
            session_date=date.fromisoformat(draft["date"]),
            minutes=int(draft["minutes"]),
            mode=draft["mode"],
            topic_code=draft.get("topic_code"),
            topic_text=draft.get("topic_text"),
            client_token=draft["token"],
            now=data.clock.now(),
            zone=data.clock.zone,
            topic_codes=[t.code for t in data.knowledge.supervision_topics],
            form=draft.get("form"),
            supervisee_ids=[int(p) for p in draft.get("supervisees", [])],
            whole_team=bool(draft.get("whole_team")),
            rules=data.knowledge.record_rules,
        )
    except DayLimitExceeded as too_much:
        return await FLOW.ask(update, context, who, "hours", work_forms.day_limit_text(_, too_much))
    except NotAllowed:
        await show(update, _("This station is no longer assigned to you, so nothing was saved."))
        return END
    except InvalidValue as problem:
        if problem.field == "date":
            return await FLOW.ask(
                update, context, who, "date", date_refused(_, context, draft, problem)
            )
        if problem.field == "hours":
            reason = _hours_problem(_, problem.reason)
            return await FLOW.ask(update, context, who, "hours", reason)
        if problem.field == "mode":
            return "mode"
        return await FLOW.ask(update, context, who, "topic", _("Please choose the topic again."))
    summary = _summary(context, who, draft)
    parts = [_("✅ Saved."), summary]
    if saved.quota is not None:
        name = work_forms.station_name(context, who, saved.session.station_code)
        parts += ["", quota_block(_, name, saved.quota)]
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("⏱ Quota"), callback_data="menu:quota"),
                InlineKeyboardButton(_("🏠 Menu"), callback_data="menu:menu"),
            ]
        ]
    )
    await show(update, "\n".join(parts), buttons)
    return END


BUSY = N_("You are in the middle of logging supervision. Finish it, or send /cancel.")

# `draft_key`: the draft has lived in user_data["sup"] since the first release
FLOW = Flow("supervise", KEY, STEPS, begin, save, draft_key=KEY, command="supervise",
            idle=WORK_IDLE, busy=BUSY)  # fmt: skip


# --- wiring -----------------------------------------------------------------------------------
def supervise_conversation() -> ConversationHandler[Context]:
    return FLOW.conversation()


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(supervise_conversation())
