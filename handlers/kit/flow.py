"""`Flow` and `Step`: a conversation declared once, with the same behaviour everywhere.

A `Step` is declared once: its `name` (the persisted conversation state, a string), how it
renders (`render(context, who, draft) -> Screen`), which presses it accepts (`presses`: button
kind -> handler), which typed input (`on_text`, with `expects` naming the kind for the re-ask
sentence) and when it applies (`applies_when(draft)`). A handler returns what comes next:

    None          the next step that applies (or, after the last one, `Flow.finish`)
    "<name>"      that step
    SUMMARY       the flow's summary step (same as None when the step was opened by Edit)
    STAY          nothing is shown again (the handler answered the press itself, an alert)
    END           the conversation is over (the handler has said the last word)

and raises `Reask(problem)` to show the same step again under a one-line problem.

The `Flow` gives every conversation: the sequence; Back (`<prefix>:back`, to the previous
step that applies, unless the step declares its own `presses["back"]`: /register's consent
asked again after a phone typed by Edit goes back to the summary); Edit from the summary (`<prefix>:edit:<step>`) returning to the summary;
Cancel (`<prefix>:cancel` and /cancel) with one sentence; a stale press of this flow (a kind
the current step does not take, an old keyboard) re-shows the current step with its buttons;
a photo, sticker, voice or location where a button or text is expected re-asks with one
sentence per expected kind; `allowed` re-checked on every update. `conversation()` builds the
persistent, named `ConversationHandler` whose states are the step names.

The draft is JSON in `context.user_data[flow.key]` (`draft_key`, else `name`); it holds the
answers only (it is shown by /mydata): the persisted conversation state says which step.

A press no handler took (issue 11 item 5): `conversation()` returns a `FlowConversation`, which
knows its `Flow`, so `reshow_current(update, context)` (called by the last-resort callback
handler in people/start.py) asks every Flow registered in the app: a person mid-way in some
flow (its persisted state) sees that step again, with its buttons; a press of a flow whose
conversation state was lost (a kill -9 between two persistence flushes, or a restart that kept
`user_data`) while its draft survives resumes at the step last shown (`user_data[STEPS_KEY]`,
the kit's bookkeeping, not shown by /mydata). False: the person is in no flow at all.

The knowledge base comes first (issues 13 and 12): any text typed at any step goes to the
matcher (`bot_data.knowledge.faq.match`) before the step sees it. An emergency
(`MatchResult.emergency`) is answered at once with the emergency entry's numbers, and the same
step is shown again with its buttons, the draft untouched (staff at a free-text step are
recording a note or a resident's situation, not in danger: their text is the answer). At a step that takes free text
(`Step.takes_text`: `expects` TEXT, or declared `free_text=True`; a step whose kind varies with
the draft declares `expects_when`, asked through `takes_text_at`) the person may have meant it as
their answer ("老人摔倒过，需要人陪护" for /request's description), so the re-shown step says to
send it again, and the same text sent again right away is taken as the answer (only a hash of it
is kept, in the kit's bookkeeping). Such a step otherwise takes the text as its answer. At any
other step a question is answered: at a number, date or phone step the step reads the text
first, and only text it refuses that `looks_like_a_question` (no digits, a sentence rather than
a word) is a question; at a button step any text is (a button step that reads typed text, the
record form's choice field taking an option's label, reads it first). A question the
knowledge base answers directly (not small talk: "好的" there means a button) is answered by
`BotData.answer_in_form` (the questions package: as outside any form, rated, without buttons
that leave the form, with the numbers on top when the message was near an emergency, or those
numbers alone when there is no direct answer; `plain_answer` without it), then the step is shown
again under its usual re-ask; anything else gets the re-ask (or the step's own problem) alone. A button step that
declares `keeps_typed` (/request's service step, which keeps typed text as the description) gets
the numbers or the answer first, then its own handler keeps the text. Text typed at
"Continue where I left off / Start again" gets the numbers or the answer the same way, then the
choice again. A command declared a look (`LookCommand`: /quota, /myrequests, /mydata) is
answered mid-form too, the step shown again below it; a command that opens no form (/stats,
/mylogs, /cases, /report) puts the form aside as /menu does and is answered
(`_aside_for_command`); any other command gets the `busy` sentence and the step. A typed "no" ("不用了", "不要": `Knowledge.typed_answers`) at a step that declares
its No (`Step.typed_no`: a yes/no question) is that press, never small talk: elsewhere "不用了"
may mean "stop this form", and the questions package says how. A typed "yes" ("好", "嗯", "ok")
at a step that declares its Yes (`Step.typed_yes`) is that press; elsewhere it is small talk,
and the step is asked again. A typed Skip ("跳过", "无", "skip": `TypedAnswers.skips`) at a step
that takes text and shows a Skip button is that press.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from hashlib import sha256
from html import escape
from typing import Any
from unicodedata import category, normalize

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.ext._handlers.conversationhandler import PendingState

from handlers.kit.callbacks import Press, encode, parse, pattern
from handlers.kit.context import Context, Speaker
from handlers.kit.i18n import N_, Gettext
from handlers.kit.keyboards import button
from handlers.kit.screen import show
from knowledge.faq import FaqEntry
from knowledge.matcher import ANSWER, SMALL_TALK, MatchResult
from services.questions import MAX_QUERY

Draft = dict[str, Any]
STEPS_KEY = "_flow_steps"  # user_data: {flow key: name of the step last shown}
TOUCHED_KEY = "_flow_touched"  # user_data: {flow key: ISO time the step was last shown}
KEPT_KEY = "_flow_kept"  # user_data: {flow key: {"draft": ..., "step": ...}} put aside when idle
RESUME = "_resume"  # the state of "Continue where I left off / Start again"
Rows = list[list[InlineKeyboardButton]]
END = ConversationHandler.END
SUMMARY = "__summary__"
# Said, with the keyboard's removal, when Back leaves a step whose screen is a reply keyboard.
BACK_TO_EARLIER = N_("Back to the step before.")
# Said when a photo or a file comes with a caption at a step that asks for text.
CAPTION_TAKEN = N_(
    "I cannot pass on photos or files here, so I have taken the words you wrote with it."
)
# Said, with the keyboard's removal, when the flow is started again from such a step: the
# choice to continue or start again follows.
KEPT_SO_FAR = N_("What you have filled in so far is kept.")
# Said when a form mid-way is put aside for something else (/start, /menu, another flow on a
# step with its own keyboard, which goes with it): how to come back to it.
FORM_KEPT = N_("Your unfinished form is kept: send {command} to continue where you left off.")
FORM_KEPT_BUTTON = N_(
    "Your unfinished form is kept: press the same button again to continue where you left off."
)
STAY = "__stay__"  # the handler answered the press itself (an alert): the step stays as it is
Outcome = str | int | None  # see the module docstring; an int is END
PressHandler = Callable[[Update, Context, Speaker, Draft, Press], Awaitable[Outcome]]
TextHandler = Callable[[Update, Context, Speaker, Draft, str], Awaitable[Outcome]]
# A photo or a document sent while the step is current (the evidence step of /log).
MediaHandler = Callable[[Update, Context, Speaker, Draft, Message], Awaitable[Outcome]]
# A step that shows itself in its own way (the phone step's share-contact keyboard):
# (update, context, who, text, rows, reask) where `reask` says the step is shown again.
Presenter = Callable[[Update, Context, Speaker, str, Rows, bool], Awaitable[None]]
# Said when the person leaves such a step by Back or Cancel (takes its keyboard away).
Leaver = Callable[[Update, Context, Speaker, str], Awaitable[None]]

# How long a Flow's draft may stay idle before it is put aside (`Flow.idle`):
# DRAFT_IDLE: `BotData.draft_idle` (STATIONBOT_DRAFT_IDLE_MINUTES, 2 hours), the residents' and
# most forms; WORK_IDLE: `BotData.work_draft_idle` (STATIONBOT_WORK_DRAFT_IDLE_HOURS, 7 days),
# the staff's record forms, filled in between home visits, with photos, over days.
DRAFT_IDLE, WORK_IDLE = "draft", "work"

# The kinds of input a step can expect, each with its one re-ask sentence (see `reask_text`).
BUTTON, TEXT, NUMBER, DATE, PHONE = "button", "text", "number", "date", "phone"


def reask_text(_: Gettext, expects: str) -> str:
    """The one sentence per expected kind of input, for anything else that arrives."""
    if expects == TEXT:
        return _("Please type your answer as text, or use the buttons.")
    if expects == NUMBER:
        return _("Please type a number, or use the buttons.")
    if expects == DATE:
        return _("Please type a date, or use the buttons.")
    if expects == PHONE:
        return _("Please send a phone number, or use the buttons.")
    return _("Please choose one of the buttons.")


def knowledge_text(entry: FaqEntry, lang: str, *, staff: bool = False) -> str:
    """A knowledge-base entry as a message: its question in bold, then its answer (`staff`:
    the staff's answer where the entry has one, `FaqEntry.answer`)."""
    answer = entry.answer(lang, staff=staff)
    return f"<b>{escape(entry.question(lang))}</b>\n\n{escape(answer)}"


def send_again_text(_: Gettext) -> str:
    """Under a text step re-shown after the emergency numbers: the text may have been meant."""
    return _("If what you typed was your answer here, send it again.")


def looks_like_a_question(text: str) -> bool:
    """At a number, date or phone step, refused text that is a question rather than a try at
    the value: no digits ("123", "3月"), and a sentence, not a word ("soon", "明天"): three
    words, or four Chinese characters. The matcher reads single words generously."""
    if any(ch.isdigit() for ch in text):
        return False
    chinese = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return chinese >= 4 or len(text.split()) >= 3


async def plain_answer(
    update: Update, context: Context, who: Speaker, text: str, result: MatchResult
) -> bool:
    """`BotData.answer_in_form` until the questions package sets its own: a direct answer of
    the knowledge base (not small talk: "好的" at a button step means a button), plainly."""
    faq = context.bot_data.knowledge.faq
    best = faq.get(result.best.entry_id) if result.best is not None else None
    if result.outcome != ANSWER or result.rule == SMALL_TALK or best is None:
        return False
    await show(update, knowledge_text(best, who.lang, staff=who.access.is_staff), new=True)
    return True


def typed_label(text: str) -> str:
    """A typed button's label as compared with what arrives: NFKC (full-width letters, digits
    and colons as typed by an input method: "继续用：138…" is "继续用:138…") and stripped."""
    return normalize("NFKC", text).strip()


def bare_label(text: str) -> str:
    """A button's words without its emoji, punctuation and spaces, case folded: what an older
    person types for «✅ 同意» is 同意 ("Agree" for «✅ Agree»)."""
    folded = normalize("NFKC", text)
    return "".join(ch for ch in folded if category(ch)[0] in "LN").casefold()


# The numbers in a label with their sign and decimal point, which `bare_label` drops.
_SIGNED = re.compile(r"(?:[-+−]|负)?\d+(?:[.,]\d+)?")


def label_numbers(text: str) -> list[str]:
    """The numbers written in `text` as signed decimals: "-1小时" has ["-1"], «1小时» ["1"],
    "1.5" ["1.5"]; a typed label presses a button only when these agree too (issue probe11
    item 1: "-1小时" pressed «1小时», and "-5" volunteers the «5» button)."""
    folded = normalize("NFKC", text).replace("−", "-").replace("负", "-")
    return [m.replace(",", ".") for m in _SIGNED.findall(folded)]


def is_cancel_command(text: str | None) -> bool:
    """/cancel as Telegram delivers it: any case, maybe with @botname or words after it
    (a flow with `busy` sees every command itself, before its /cancel fallback)."""
    words = (text or "").split()
    return bool(words) and words[0].split("@")[0].lower() == "/cancel"


def cancelled_text(_: Gettext) -> str:
    """The one "cancelled" sentence of every flow."""
    return _("Cancelled. Nothing was saved.")


def _text_of(update: Update) -> str | None:
    message = update.effective_message
    return message.text if update.callback_query is None and message is not None else None


class Reask(Exception):
    """Raised by a step handler: show the same step again under `problem`."""

    def __init__(self, problem: str | None = None, step: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.step = step  # show that step instead (e.g. the one a refused answer came from)


@dataclass(frozen=True)
class Screen:
    text: str
    rows: Rows = field(default_factory=list)


def _always(draft: Draft) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    name: str  # the persisted state: keep it stable (renaming needs a data migration)
    render: Callable[[Context, Speaker, Draft], Screen]
    # button kind -> handler; "back" here replaces the Flow's Back (to the step before) for
    # this step, when the step before is not where the person came from
    presses: Mapping[str, PressHandler] = field(default_factory=dict)
    on_text: TextHandler | None = None
    expects: str = BUTTON
    applies_when: Callable[[Draft], bool] = _always
    back: bool = True  # show « Back (never on the first step that applies)
    persisted: str | int | None = None  # the state value stored, if not `name` (older releases)
    nav: bool = True  # the « Back / ✖ Cancel row (off for screens with their own, like consent)
    present: Presenter | None = None  # shows the step instead of `screen.show` (phone step)
    leave: Leaver | None = None  # says Back / Cancel when leaving a `present`ed step
    on_contact: TextHandler | None = None  # a shared contact (its number) while this step
    on_media: MediaHandler | None = None  # a photo or a document while this step (else re-asked)
    # Typed text is this step's answer, whatever it says (a description, a note): None means
    # "when `expects` is TEXT". Elsewhere a question is answered by the knowledge base first
    # (see the module docstring); a button step may set True to keep free text as its answer.
    free_text: bool | None = None
    # False: typed text goes straight to the step, never to the knowledge base first (a reply
    # relayed to a person as written, whose own emergency numbers the journey adds).
    knowledge_first: bool = True
    # A button step whose `on_text` keeps what is typed beside the answer (/request's service
    # step keeps it as the description): the emergency numbers or the knowledge base's answer
    # come first, then the handler keeps the text, the step shown below them. The matcher
    # answers many needs as questions ("我腿脚不好 想有人来家里看看"), so a question is kept too.
    keeps_typed: bool = False
    # What the step expects for the draft at hand, when that varies (None: `expects`). The
    # record form's one field step is a text step at a text, number or date field and a
    # button step at a choice or yes/no field, where typed text is read first (an option's
    # label picks it) and, refused, is a question: see `expecting` and `takes_text_at`.
    expects_when: Callable[[Context, Draft], str] | None = None
    # The step's buttons are typed buttons on a reply keyboard (its `present` shows them so:
    # the phone step, beside "📱 Share my phone number"): text that is one of their labels is
    # that press, « Back and ✖ Cancel in either language (see `typed_label`).
    typed_buttons: bool = False
    # The button a typed "no" ("不用了", "不要": `Knowledge.typed_answers`) presses here, for
    # the draft at hand: a yes/no question's No (its callback data). None, or no `typed_no`:
    # the step has no No, and "不用了" there may mean "stop this form" (the questions package
    # then says how). A `choice_step` whose options include "no" declares it itself.
    typed_no: Callable[[Context, Speaker, Draft], str | None] | None = None
    # Likewise the button a typed "yes" ("好", "嗯", "ok") presses: a yes/no question's Yes.
    # Not declared where Yes does something hard to undo (/forget's "Erase your data?").
    typed_yes: Callable[[Context, Speaker, Draft], str | None] | None = None

    @property
    def takes_text(self) -> bool:
        """Typed text is the answer here, never a question to the knowledge base."""
        if self.free_text is not None:
            return self.free_text and self.on_text is not None
        return self.on_text is not None and self.expects == TEXT

    def expecting(self, context: Context, draft: Draft) -> str:
        """`expects` for this draft (see `expects_when`)."""
        return self.expects if self.expects_when is None else self.expects_when(context, draft)

    def takes_text_at(self, context: Context, draft: Draft) -> bool:
        """`takes_text` for this draft: the kit asks this one (see `expects_when`)."""
        if self.free_text is not None or self.expects_when is None:
            return self.takes_text
        return self.on_text is not None and self.expecting(context, draft) == TEXT

    @property
    def state(self) -> str | int:
        """What the ConversationHandler persists for this step."""
        return self.name if self.persisted is None else self.persisted


def no_is(data: str) -> Callable[[Context, Speaker, Draft], str]:
    """`Step.typed_no` of a step whose No is always the button of callback data `data`."""
    return lambda context, who, draft: data


def yes_is(data: str) -> Callable[[Context, Speaker, Draft], str]:
    """`Step.typed_yes` of a step whose Yes is always the button of callback data `data`."""
    return no_is(data)


Begin = Callable[[Update, Context, Speaker], Awaitable[Draft | None]]
Finish = Callable[[Update, Context, Speaker, Draft], Awaitable[Outcome]]
Allowed = Callable[[Update, Context, Speaker], Awaitable[bool]]


async def _anyone(update: Update, context: Context, who: Speaker) -> bool:
    return True


@dataclass(frozen=True)
class Flow:
    name: str  # the ConversationHandler's persisted name and the draft's key in user_data
    prefix: str  # every button of the flow is `<prefix>:<kind>[:args]`
    steps: Sequence[Step]
    begin: Begin  # a fresh draft, or None after telling the person why not
    finish: Finish  # after the last step that applies: one service call, then END
    # The flow's own command, which its menu button `menu:<command>` starts too.
    command: str | None = None
    commands: Sequence[str] = ()  # more commands that start it
    entry_patterns: Sequence[str] = ()  # callback patterns that also start it (other buttons)
    allowed: Allowed = _anyone  # re-checked on every update; False ends (it said why)
    summary: str | None = None  # the step that Edit returns to
    busy: str | None = None  # set (an `N_()` msgid): other commands re-ask with it
    cancelled: Callable[[Gettext], str] = cancelled_text
    draft_key: str | None = None  # user_data key of the draft, if not `name` (older releases)
    # Set: a press or message while the draft is gone (consumed by `finish`, erased) ends the
    # conversation with this sentence instead of starting the steps over on an empty draft.
    ended: str | None = None  # an `N_()` msgid
    idle: str = DRAFT_IDLE  # which idle limit puts the draft aside (DRAFT_IDLE, WORK_IDLE)

    @property
    def key(self) -> str:
        return self.draft_key or self.name

    @property
    def starting_commands(self) -> tuple[str, ...]:
        return ((self.command,) if self.command else ()) + tuple(self.commands)

    @property
    def starting_patterns(self) -> tuple[str, ...]:
        menu = (rf"^menu:{self.command}$",) if self.command else ()
        return menu + tuple(self.entry_patterns)

    # --- the draft --------------------------------------------------------------------------
    def draft(self, context: Context) -> Draft:
        assert context.user_data is not None
        draft: Draft = context.user_data.setdefault(self.key, {})
        return draft

    def drop(self, context: Context) -> None:
        if context.user_data is not None:
            context.user_data.pop(self.key, None)
            for key in (STEPS_KEY, TOUCHED_KEY):
                kept = context.user_data.get(key)
                if isinstance(kept, dict):
                    kept.pop(self.key, None)
                    if key == STEPS_KEY:
                        kept.pop(self._urgent_key, None)
                    if not kept:
                        context.user_data.pop(key, None)

    # --- idle drafts ------------------------------------------------------------------------
    def idle_limit(self, context: Context) -> timedelta:
        """How long this flow's draft may stay idle (its `idle` declaration)."""
        data = context.bot_data
        return data.work_draft_idle if self.idle == WORK_IDLE else data.draft_idle

    def is_idle(self, context: Context) -> bool:
        """The step was shown longer ago than `idle_limit` (no note: not idle)."""
        touched = ((context.user_data or {}).get(TOUCHED_KEY) or {}).get(self.key)
        if not isinstance(touched, str):
            return False
        try:
            at = datetime.fromisoformat(touched)
        except ValueError:
            return False
        return context.bot_data.clock.now() - at > self.idle_limit(context)

    def kept_note(self, _: Gettext) -> str:
        """How to continue this flow once put aside: its command, or (a form begun from a
        card's button, as completing a record) that button again, which offers "Continue"."""
        commands = self.starting_commands
        return _(FORM_KEPT).format(command=f"/{commands[0]}") if commands else _(FORM_KEPT_BUTTON)

    def put_aside(self, context: Context, step: Step) -> None:
        """End the idle form, keeping what was typed for the next start to offer again."""
        assert context.user_data is not None
        draft = dict(context.user_data.get(self.key) or {})
        draft.pop("_edit", None)
        self.drop(context)
        context.user_data.setdefault(KEPT_KEY, {})[self.key] = {"draft": draft, "step": step.name}

    def kept(self, context: Context) -> dict[str, Any] | None:
        found = ((context.user_data or {}).get(KEPT_KEY) or {}).get(self.key)
        return found if isinstance(found, dict) and found.get("draft") else None

    def unkeep(self, context: Context) -> None:
        kept = (context.user_data or {}).get(KEPT_KEY)
        if isinstance(kept, dict):
            kept.pop(self.key, None)
            if not kept and context.user_data is not None:
                context.user_data.pop(KEPT_KEY, None)

    async def expired(self, step: Step, update: Update, context: Context, who: Speaker) -> int:
        """An update to a form idle too long: put it aside. Typed text is then what it would
        be outside any form (a question for the knowledge base); a press says how to go on."""
        typed = self.typed_press(context, who, self.draft(context), step, _text_of(update) or "")
        if typed is not None and typed.kind == "cancel":  # ✖ Cancel of its own keyboard
            return await self.on_cancel(update, context, step)
        self.put_aside(context, step)
        message = update.effective_message
        _ = who.gettext
        commands = self.starting_commands
        command = f"/{commands[0]}" if commands else "/menu"
        aside = _(
            "This form was left unfinished for a while, so I put it aside. What you "
            "typed is kept: send {command} to continue where you left off."
        ).format(command=command)
        free = update.callback_query is None and message is not None and bool(message.text)
        free = free and typed is None and not (_text_of(update) or "").startswith("/")
        if step.leave is not None:  # its own keyboard (the phone step's) goes first
            await step.leave(update, context, who, aside)
            if free:
                await context.bot_data.on_free_text(update, context)
            return END
        if free:
            await context.bot_data.on_free_text(update, context)
            return END
        await show(update, aside)
        return END

    def step_of_state(self, state: object) -> Step | None:
        """The step whose persisted state is `state` (None: not one of this flow's)."""
        return next((s for s in self.steps if s.state == state), None)

    def last_shown(self, context: Context) -> Step | None:
        """The step last shown to the person, as the kit noted it in user_data."""
        steps = (context.user_data or {}).get(STEPS_KEY)
        name = steps.get(self.key) if isinstance(steps, dict) else None
        return next((s for s in self.steps if s.name == name), None)

    def on_screen(self, context: Context) -> Step | None:
        """The step last shown while its draft is still there (None: no form under way)."""
        return self.last_shown(context) if self.key in (context.user_data or {}) else None

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)

    def applying(self, draft: Draft) -> list[Step]:
        return [s for s in self.steps if s.applies_when(draft)]

    # --- showing ----------------------------------------------------------------------------
    def nav(self, _: Gettext, draft: Draft, step: Step) -> list[InlineKeyboardButton]:
        row = []
        first = self.applying(draft)[:1] == [step]
        if step.back and not first:
            row.append(button(_("« Back"), encode(self.prefix, "back")))
        row.append(button(_("✖ Cancel"), encode(self.prefix, "cancel")))
        return row

    def typed_press(
        self, context: Context, who: Speaker, draft: Draft, step: Step, text: str
    ) -> Press | None:
        """At a step with `typed_buttons`: the press whose label `text` is, as `ask` shows the
        step now (its rows and the Back / Cancel row); Back and Cancel also in the other
        language (the keyboard stays on screen while the person changes the language)."""
        if not step.typed_buttons:
            return self._label_typed(context, who, draft, step, text)
        typed = typed_label(text)
        rows = step.render(context, who, draft).rows
        if step.nav:
            rows = [*rows, self.nav(who.gettext, draft, step)]
            translator = context.bot_data.translator
            for lang in translator.catalogs:
                rows.append(self.nav(translator.for_language(lang), draft, step))
        for row in rows:
            for shown in row:
                data = shown.callback_data
                if isinstance(data, str) and typed_label(shown.text) == typed:
                    return parse(data)
        return None

    def _label_typed(
        self, context: Context, who: Speaker, draft: Draft, step: Step, text: str
    ) -> Press | None:
        """At a button step (not one that takes typed text): the step's own button whose words
        are what was typed, without the emoji ("同意" for «✅ 同意»); None when none is."""
        typed = bare_label(text)
        if not typed or step.takes_text_at(context, draft):
            return None
        numbers = label_numbers(text)
        return self._own_button(
            context,
            who,
            draft,
            step,
            lambda label: bare_label(label) == typed and label_numbers(label) == numbers,
        )

    def _own_button(
        self,
        context: Context,
        who: Speaker,
        draft: Draft,
        step: Step,
        matches: Callable[[str], bool],
    ) -> Press | None:
        """The press of the step's own button (of this flow) whose words `matches`."""
        for row in step.render(context, who, draft).rows:
            for shown in row:
                data = shown.callback_data
                if isinstance(data, str) and data.startswith(f"{self.prefix}:"):
                    if matches(shown.text):
                        return parse(data)
        return None

    def _typed_skip(
        self, context: Context, who: Speaker, draft: Draft, step: Step, text: str
    ) -> Press | None:
        """At a step that takes text and shows a Skip button: that press when the text is a
        word for Skip (`Knowledge.typed_answers.skips`: "跳过", "无", "skip", "none"), so it
        is not kept as the note "跳过"; None otherwise."""
        answers = context.bot_data.knowledge.typed_answers
        if not answers.means_skip(text) or not step.takes_text_at(context, draft):
            return None
        return self._own_button(context, who, draft, step, answers.means_skip)

    async def ask(
        self,
        update: Update,
        context: Context,
        who: Speaker,
        name: str,
        problem: str | None = None,
    ) -> str | int:
        """Show step `name` (under `problem`) and make it the current one."""
        draft = self.draft(context)
        step = self.step(name)
        screen = step.render(context, who, draft)
        text = f"{problem}\n\n{screen.text}" if problem else screen.text
        rows = [*screen.rows, self.nav(who.gettext, draft, step)] if step.nav else screen.rows
        if step.present is not None:
            await step.present(update, context, who, text, rows, problem is not None)
        else:
            # After a handler that already answered the press and said something of its own
            # (`context.anew`), the step comes as a new message below it.
            anew = context.anew
            await show(update, text, InlineKeyboardMarkup(rows), new=anew, answered=anew)
        context.shown = (self.key, step.name)
        if context.user_data is not None:
            context.user_data.setdefault(STEPS_KEY, {})[self.key] = step.name
            now = context.bot_data.clock.now().isoformat()
            context.user_data.setdefault(TOUCHED_KEY, {})[self.key] = now
        return step.state

    async def go(
        self, update: Update, context: Context, who: Speaker, after: Step, outcome: Outcome
    ) -> str | int:
        """Where a handler's outcome leads from step `after`."""
        draft = self.draft(context)
        if isinstance(outcome, int):
            if outcome == END:
                self.drop(context)
            return outcome
        if outcome == STAY:
            return after.state
        if outcome is not None and outcome != SUMMARY:  # a named step (an Edit stays open)
            shown = self._just_shown(context)
            if shown is not None and outcome in (shown.name, shown.state):
                return shown.state  # the handler showed it itself, under its own problem
            return await self.ask(update, context, who, outcome)
        back_to_summary = draft.pop("_edit", False) and self.summary is not None
        if outcome == SUMMARY or back_to_summary:
            assert self.summary is not None
            return await self.ask(update, context, who, self.summary)
        names = [s.name for s in self.steps]
        for step in self.steps[names.index(after.name) + 1 :]:
            if step.applies_when(draft):
                return await self.ask(update, context, who, step.name)
        context.shown = None
        try:
            finished = await self.finish(update, context, who, draft)
        except Reask as again:  # the service refused: the summary (or a step) under why
            self._then_summary(draft, again.step or after.name)
            return await self.ask(update, context, who, again.step or after.name, again.problem)
        shown = self._just_shown(context)
        if shown is not None and not isinstance(finished, int):
            self._then_summary(draft, shown.name)
        return await self.go(update, context, who, after, finished)

    def _then_summary(self, draft: Draft, name: str) -> None:
        """`finish` asked a step again: once answered, back to the summary (as after Edit),
        the other answers are still there."""
        if self.summary is not None and name != self.summary:
            draft["_edit"] = True

    # --- the handlers the ConversationHandler calls ----------------------------------------
    async def _who(self, update: Update, context: Context) -> Speaker | None:
        who = await context.person(update)
        return who if await self.allowed(update, context, who) else None

    async def _ended(self, update: Update, context: Context, who: Speaker) -> bool:
        """With `ended` set: the draft is gone, so say so (the conversation ends)."""
        if self.ended is None or (context.user_data or {}).get(self.key):
            return False
        await show(update, who.gettext(self.ended))
        return True

    async def on_start(self, update: Update, context: Context) -> str | int:
        who = await context.person(update)
        if not await self.allowed(update, context, who):
            return END
        if await self._busy_elsewhere(update, context, who):
            return END
        current = self.on_screen(context)
        if current is not None and self._started_again_midway(update, context, current):
            # Its command (or menu button) again, past the first step (/request twice, the
            # menu's button mid-way): what was answered is kept and the choice offered, as for
            # a form put aside when idle, instead of starting over on an empty draft. A step
            # with its own keyboard (the phone step's) takes it away first.
            self.put_aside(context, current)
            if current.leave is not None:
                await current.leave(update, context, who, who.gettext(KEPT_SO_FAR))
        elif current is not None and current.leave is not None:
            # Started again on a step with its own keyboard (/request at the phone step): the
            # form under way ends, and that keyboard goes with it, before the first step.
            self.drop(context)
            await current.leave(update, context, who, self.cancelled(who.gettext))
        if self.kept(context) is not None:
            await self.set_aside_others(update, context, who)
            _ = who.gettext
            await show(
                update,
                _("You have an unfinished form from earlier. Continue it, or start again?"),
                InlineKeyboardMarkup(
                    [
                        [InlineKeyboardButton(
                            _("Continue where I left off"),
                            callback_data=encode(self.prefix, "resume"),
                        )],
                        [InlineKeyboardButton(
                            _("Start again"), callback_data=encode(self.prefix, "fresh")
                        )],
                    ]
                ),
            )  # fmt: skip
            return RESUME
        return await self._begin(update, context, who)

    async def _busy_elsewhere(self, update: Update, context: Context, who: Speaker) -> bool:
        """Another form (a Flow with `busy`) is mid-way: its step again under its `busy`
        sentence, as any other command gets there, and this flow does not start. Without it a
        menu button (🤝 Volunteer mid-request) or the command of a form registered before it
        opened a second form, and the name typed for one became the other's description."""
        if context.user_data is None:
            return False
        for conversation in flows_in(context.application):
            other = conversation.flow
            if other.key == self.key or other.busy is None or other.key not in context.user_data:
                continue
            step = other.step_of_state(conversation.state_of(update))
            if step is None or other.is_idle(context):
                continue  # not in it, or idle: it is put aside at its next update
            if not await other.allowed(update, context, who):
                continue
            busy = who.gettext(other.busy)
            query = update.callback_query
            if query is not None:
                # The pressed message (a question's card, a notice, the menu) stays as it is:
                # the step comes as a new message below; one with its own keyboard (the phone
                # step's, at the bottom of the chat already) is only named in an alert.
                if step.present is not None:
                    await query.answer(busy, show_alert=True)
                    return True
                await query.answer()
                context.anew = True
            await other.ask(update, context, who, step.name, busy)
            return True
        return False

    async def set_aside_others(self, update: Update, context: Context, who: Speaker) -> None:
        """This flow opens (its first step, or "Continue / Start again") while another is
        still open (a flow of screens: /report at its month, a reply being typed; a form gone
        idle; another's "Continue / Start again"): the other's conversation ends, so what the
        person types or presses next is this flow's. Without it both stayed open and the one
        registered first took the text: the walk-in's description was re-asked by /report's
        buttons, and, after /log, a question went to a resident as the reply begun before.
        A form (`busy`) or a flow its command starts again keeps its draft (`put_aside`): the
        command offers "Continue where I left off", as after an idle draft or /start. A flow
        begun only by a card's button (a reply, a case note) belongs to that card and simply
        ends: the button starts it afresh. A step with its own keyboard takes it away, saying
        which (`Step.leave`). Not called when `begin` refuses: the other stays as it was."""
        if context.user_data is None or update.effective_user is None:
            return
        for conversation in flows_in(context.application):
            other = conversation.flow
            state = conversation.state_of(update)
            if other.key == self.key or state is None:
                continue
            step = other.step_of_state(state)
            conversation.set_state(update, END)
            if step is None:  # at "Continue / Start again": the kept draft stays kept
                continue
            commands = other.starting_commands
            if other.key in context.user_data and (other.busy is not None or commands):
                other.put_aside(context, step)
                said = other.kept_note(who.gettext)
            else:
                other.drop(context)
                said = other.cancelled(who.gettext)
            if step.leave is not None:
                await step.leave(update, context, who, said)

    def _started_again_midway(self, update: Update, context: Context, current: Step) -> bool:
        """A form (a flow with `busy`: /request, /volunteer, the staff's record forms) started
        again by its own command or menu button while a step after its first is on screen.
        A flow of screens to move between (/evaluation, /report) simply starts at the top
        again; another entry button (a knowledge-base answer's "Request this service") starts
        the form as that button says."""
        if self.busy is None:
            return False
        query = update.callback_query
        if query is not None and query.data != f"menu:{self.command}":
            return False
        return self.applying(self.draft(context))[:1] != [current]

    async def on_resume(self, update: Update, context: Context) -> str | int:
        """The answer to "Continue where I left off / Start again"."""
        who = await self._who(update, context)
        if who is None:
            return END
        press = context.press(update)
        kept = self.kept(context)
        message = update.effective_message
        typed = message.text if press is None and message is not None else None
        if is_cancel_command(typed) or (press is not None and press.kind == "cancel"):
            return await self.on_cancel(update, context)
        if press is None or press.kind not in ("resume", "fresh") or kept is None:
            if kept is None:
                return await self._begin(update, context, who)
            if typed and not typed.startswith("/"):  # typed at the choice: emergencies first,
                await self._answer_typed(update, context, who, typed)  # a question answered
            return await self.on_start(update, context)
        self.unkeep(context)
        if press.kind == "fresh":
            return await self._begin(update, context, who)
        assert context.user_data is not None
        draft = dict(kept["draft"])
        context.user_data[self.key] = draft
        names = {s.name for s in self.applying(draft)}
        step = kept.get("step") if kept.get("step") in names else self.applying(draft)[0].name
        return await self.ask(update, context, who, str(step))

    async def _begin(self, update: Update, context: Context, who: Speaker) -> str | int:
        draft = await self.begin(update, context, who)
        if draft is None:  # refused: whatever else is open stays as it was
            return END
        await self.set_aside_others(update, context, who)
        assert context.user_data is not None
        context.user_data[self.key] = draft
        return await self.ask(update, context, who, self.applying(draft)[0].name)

    async def _run(
        self,
        update: Update,
        context: Context,
        who: Speaker,
        step: Step,
        call: Callable[[], Awaitable[Outcome]],
    ) -> str | int:
        context.shown = None
        try:
            outcome = await call()
        except Reask as again:
            return await self.ask(update, context, who, again.step or step.name, again.problem)
        return await self.go(update, context, who, step, outcome)

    def _just_shown(self, context: Context) -> Step | None:
        """The step of this flow shown since the handler (or `finish`) was called."""
        shown = context.shown
        if shown is None or shown[0] != self.key:
            return None
        return next((s for s in self.steps if s.name == shown[1]), None)

    async def _enter(
        self, step: Step, update: Update, context: Context
    ) -> tuple[Speaker, Draft] | int:
        """Every update at `step`: the person (still allowed), the draft (not gone, not idle);
        else what ends it."""
        who = await self._who(update, context)
        if who is None:
            self.drop(context)
            return END
        if await self._ended(update, context, who):
            return END
        if self.is_idle(context):
            return await self.expired(step, update, context, who)
        return who, self.draft(context)

    async def on_press(self, step: Step, update: Update, context: Context) -> str | int:
        """A press while `step` is the persisted state (the state, not the draft, is the truth:
        after a crash the draft and the state can differ)."""
        entered = await self._enter(step, update, context)
        if isinstance(entered, int):
            return entered
        who, draft = entered
        return await self._pressed(step, update, context, who, draft, context.press(update))

    async def _pressed(
        self,
        step: Step,
        update: Update,
        context: Context,
        who: Speaker,
        draft: Draft,
        press: Press | None,
    ) -> str | int:
        """A press of `step` (a button's, or a typed button's label: `typed_press`)."""
        if press is None or press.prefix != self.prefix:
            return await self.ask(update, context, who, step.name)
        if press.kind == "cancel":
            return await self.on_cancel(update, context, step)
        own_back = step.presses.get("back") if press.kind == "back" else None
        if own_back is not None:  # the step says where its Back goes (`Step.presses["back"]`)
            return await self._run(
                update, context, who, step, lambda: own_back(update, context, who, draft, press)
            )
        if press.kind == "back":
            if step.leave is not None:
                await step.leave(update, context, who, who.gettext(BACK_TO_EARLIER))
            before = [s for s in self.applying(draft) if s is not step]
            names = [s.name for s in self.steps]
            earlier = [s for s in before if names.index(s.name) < names.index(step.name)]
            draft.pop("_edit", None)
            return await self.ask(update, context, who, (earlier or [step])[-1].name)
        if press.kind == "edit" and self.summary is not None and step.name == self.summary:
            target = press.arg()
            if target in {s.name for s in self.applying(draft)}:
                draft["_edit"] = True
                return await self.ask(update, context, who, str(target))
        handler = step.presses.get(press.kind)
        if handler is None:  # a stale press: a button of an earlier screen of this flow
            return await self.ask(update, context, who, step.name)
        return await self._run(
            update, context, who, step, lambda: handler(update, context, who, draft, press)
        )

    async def on_message(self, step: Step, update: Update, context: Context) -> str | int:
        entered = await self._enter(step, update, context)
        if isinstance(entered, int):
            return entered
        who, draft = entered
        message = update.effective_message
        text = message.text if message is not None else None
        _ = who.gettext
        expects = step.expecting(context, draft)
        if is_cancel_command(text):
            return await self.on_cancel(update, context, step)
        typed = self.typed_press(context, who, draft, step, text) if text else None
        if typed is not None:  # a typed button of the step's reply keyboard: its press
            return await self._pressed(step, update, context, who, draft, typed)
        skip = self._typed_skip(context, who, draft, step, text) if text else None
        if skip is not None:  # "跳过", "无", "skip" at an optional text step: its Skip
            return await self._pressed(step, update, context, who, draft, skip)
        no = step.typed_no(context, who, draft) if text and step.typed_no is not None else None
        if no is not None and text and context.bot_data.knowledge.typed_answers.means_no(text):
            return await self._pressed(step, update, context, who, draft, parse(no))
        yes = step.typed_yes(context, who, draft) if text and step.typed_yes is not None else None
        if yes is not None and text and context.bot_data.knowledge.typed_answers.means_yes(text):
            return await self._pressed(step, update, context, who, draft, parse(yes))
        contact = message.contact if message is not None else None
        on_contact = step.on_contact
        if contact is not None and on_contact is not None:
            number = contact.phone_number
            return await self._run(
                update, context, who, step, lambda: on_contact(update, context, who, draft, number)
            )
        on_media = step.on_media
        if message is not None and on_media is not None and (message.photo or message.document):
            return await self._run(
                update, context, who, step, lambda: on_media(update, context, who, draft, message)
            )
        if (
            not text
            and message is not None
            and message.caption
            and step.on_media is None
            and step.takes_text_at(context, draft)
        ):
            # A photo or file with words under it where words are asked for (a description
            # with a picture of the leaking roof): the words are the answer, and said so.
            await show(update, _(CAPTION_TAKEN), new=True)
            context.anew = True
            text = message.caption
        if text and text.startswith("/"):
            if await answer_look(update, context):  # /quota, /mydata: the step again below
                return step.state
            if self.busy is not None and await self._aside_for_command(update, context, who, step):
                return END  # /stats, /mylogs mid-form: the form kept, as /menu keeps it
            problem = _(self.busy) if self.busy is not None else reask_text(_, expects)
            return await self.ask(update, context, who, step.name, problem)
        if text and step.knowledge_first:
            answered = await self._knowledge_first(update, context, who, step, text)
            if answered is not None:
                return answered
        on_text = step.on_text
        if text and on_text is not None and step.keeps_typed:
            if not context.anew and await self._answer_question(update, context, who, text):
                context.anew = True  # the answer, then the step (with the text kept) below it
            return await self._run(
                update, context, who, step, lambda: on_text(update, context, who, draft, text)
            )
        takes_text = step.takes_text_at(context, draft)
        if text and on_text is not None and (takes_text or not step.knowledge_first):
            return await self._run(
                update, context, who, step, lambda: on_text(update, context, who, draft, text)
            )
        if text and on_text is not None:  # a number, a date, a phone: read it first
            context.shown = None
            try:
                outcome = await on_text(update, context, who, draft, text)
            except Reask as again:  # not one: a question the knowledge base answers?
                # At a button step (a form's choice field, whose reading took no option's
                # label) any refused text may be a question, as at a step without `on_text`.
                question = expects == BUTTON or looks_like_a_question(text)
                if question and await self._answer_question(update, context, who, text):
                    return await self.ask(update, context, who, step.name, reask_text(_, expects))
                return await self.ask(update, context, who, again.step or step.name, again.problem)
            return await self.go(update, context, who, step, outcome)
        if text and await self._answer_question(update, context, who, text):
            return await self.ask(update, context, who, step.name, reask_text(_, expects))
        return await self.ask(update, context, who, step.name, reask_text(_, expects))

    async def _aside_for_command(
        self, update: Update, context: Context, who: Speaker, step: Step
    ) -> bool:
        """A staff command typed mid-form that opens no form (/stats, /report, /mylogs,
        /cases): this form is put aside as /menu puts it (kept, offered again by its command,
        said so), and the command answered. The command of another form still gets the
        `busy` sentence (one form at a time), as an unknown command does. True if answered."""
        found = _command_handler(update, context, own=self)
        if found is None:
            return False
        handler, check = found
        self.put_aside(context, step)
        for conversation in flows_in(context.application):
            if conversation.flow is self:
                conversation.set_state(update, END)
        note = self.kept_note(who.gettext)
        if step.leave is not None:
            await step.leave(update, context, who, note)
        else:
            await show(update, note, new=True)
        context.anew = True
        await handler.handle_update(update, context.application, check, context)
        return True

    async def _answer_typed(
        self, update: Update, context: Context, who: Speaker, text: str
    ) -> None:
        """Text typed where only a choice is offered (Continue / Start again): the emergency
        numbers, or a question answered; the caller shows the choice again."""
        faq = context.bot_data.knowledge.faq
        result = faq.match(text[:MAX_QUERY])
        best = faq.get(result.best.entry_id) if result.best is not None else None
        if result.emergency and best is not None:
            await show(update, knowledge_text(best, who.lang), new=True)
            return
        answer = context.bot_data.answer_in_form or plain_answer
        await answer(update, context, who, text, result)

    async def _answer_question(
        self, update: Update, context: Context, who: Speaker, text: str
    ) -> bool:
        """A question typed mid-form, answered by the knowledge base (`BotData.answer_in_form`,
        the questions package's full answer) as outside any form: True if it was."""
        faq = context.bot_data.knowledge.faq
        result = faq.match(text[:MAX_QUERY])
        answer = context.bot_data.answer_in_form or plain_answer
        return await answer(update, context, who, text, result)

    # --- the knowledge base before the step (issue 13) ---------------------------------------
    @property
    def _urgent_key(self) -> str:
        """STEPS_KEY's entry for the emergency text last answered in this flow (a hash)."""
        return f"{self.key}#urgent"

    async def _knowledge_first(
        self, update: Update, context: Context, who: Speaker, step: Step, text: str
    ) -> str | int | None:
        """Emergencies first: the numbers, then the same step again; None: the step (and then
        the question path of `on_message`) handles the text."""
        faq = context.bot_data.knowledge.faq
        result: MatchResult = faq.match(text[:MAX_QUERY])
        best = faq.get(result.best.entry_id) if result.best is not None else None
        found = (context.user_data or {}).get(STEPS_KEY)
        steps: dict[str, str] = found if isinstance(found, dict) else {}
        earlier = steps.pop(self._urgent_key, None)
        if result.emergency and best is not None and step.keeps_typed:
            await show(update, knowledge_text(best, who.lang), new=True)
            context.anew = True
            return None  # the step's handler keeps the text, the step below the numbers
        if result.emergency and best is not None:
            typed = step.takes_text_at(context, self.draft(context))
            if typed and who.access.is_staff:
                # Staff typing a note or a resident's situation ("老人摔倒了，头上流血") are
                # recording, not in danger: the text is the step's answer, kept as typed.
                return None
            said = sha256(f"{step.name}:{' '.join(text.split())}".encode()).hexdigest()[:16]
            if typed and earlier == said:
                return None  # sent again right after the numbers: it was the answer
            await show(update, knowledge_text(best, who.lang), new=True)
            state = await self.ask(
                update, context, who, step.name, send_again_text(who.gettext) if typed else None
            )
            if typed and context.user_data is not None:
                context.user_data.setdefault(STEPS_KEY, {})[self._urgent_key] = said
            return state
        return None

    async def on_cancel(self, update: Update, context: Context, step: Step | None = None) -> int:
        who = await context.person(update)
        if step is None:  # /cancel through the fallback: the step on screen, if any
            step = self.on_screen(context)
        self.drop(context)
        self.unkeep(context)  # at "Continue / Start again": neither, so nothing is kept
        if step is not None and step.leave is not None:
            await step.leave(update, context, who, self.cancelled(who.gettext))
        else:
            await show(update, self.cancelled(who.gettext))
        return END

    # --- wiring -----------------------------------------------------------------------------
    def conversation(self) -> FlowConversation:
        """The persistent, named ConversationHandler: one state per step name."""
        anything = filters.ALL if self.busy is not None else filters.ALL & ~filters.COMMAND

        def state(step: Step) -> list[BaseHandler[Update, Context, Any]]:
            return [
                CallbackQueryHandler(partial(self.on_press, step), pattern=pattern(self.prefix)),
                MessageHandler(anything, partial(self.on_message, step)),
            ]

        commands = self.starting_commands
        entry: list[BaseHandler[Update, Context, Any]] = (
            [CommandHandler(list(commands), self.on_start)] if commands else []
        )
        entry += [CallbackQueryHandler(self.on_start, pattern=p) for p in self.starting_patterns]
        return FlowConversation(
            self,
            name=self.name,
            persistent=True,
            allow_reentry=True,
            entry_points=entry,
            states={
                **{step.state: state(step) for step in self.steps},
                RESUME: [
                    CallbackQueryHandler(self.on_resume, pattern=pattern(self.prefix)),
                    MessageHandler(anything, self.on_resume),
                ],
            },
            fallbacks=[CommandHandler("cancel", self.on_cancel)],
        )


class FlowConversation(ConversationHandler[Context]):
    """The ConversationHandler of one `Flow`, which it knows (the app's registry of flows is
    simply its handlers: see `flows_in`)."""

    __slots__ = ("_press_starts", "flow")

    def __init__(self, flow: Flow, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.flow = flow
        self._press_starts: tuple[str, ...] | None = None  # worked out at the first update

    def check_update(self, update: object) -> Any:
        """A press that begins as none of this conversation's button patterns do is not
        this conversation's: said at once, instead of PTB trying each of its handlers (for
        every flow, on every press: about a tenth of a step's CPU, bench/updates.py)."""
        if isinstance(update, Update) and update.callback_query is not None:
            data = update.callback_query.data
            starts = self._press_starts
            if starts is None:
                starts = self._press_starts = _press_starts(self)
            if (
                isinstance(data, str)
                and starts
                and not data.startswith(starts)
                and not isinstance(self._conversations.get(self._get_key(update)), PendingState)
            ):
                return None
        return super().check_update(update)

    def state_of(self, update: Update) -> object | None:
        """The person's persisted state in this conversation (None: not in it)."""
        return self._conversations.get(self._get_key(update))

    def set_state(self, update: Update, state: object) -> None:
        """Put the person back into the conversation at `state` (persisted at the next flush)."""
        self._update_state(state, self._get_key(update))


def _press_starts(conversation: ConversationHandler[Context]) -> tuple[str, ...]:
    """What every press this conversation can take begins with: the literal start of each of
    its button patterns (PTB matches them at the start of the data). Empty, so nothing is
    filtered, when any handler could take a press otherwise (no pattern, a callable, a
    pattern that begins with a wildcard, another kind of handler)."""
    handlers = [
        *conversation.entry_points,
        *(h for hs in conversation.states.values() for h in hs),
        *conversation.fallbacks,
    ]
    starts: list[str] = []
    for handler in handlers:
        if isinstance(handler, MessageHandler | CommandHandler):
            continue  # messages only
        if not isinstance(handler, CallbackQueryHandler):
            return ()
        found = handler.pattern
        if isinstance(found, re.Pattern):
            found = found.pattern if not found.flags & re.IGNORECASE else None
        if not isinstance(found, str):
            return ()
        start = _literal_start(found)
        if not start:
            return ()
        starts.append(start)
    return tuple(starts)


def _literal_start(regex: str) -> str:
    """The characters every match of `regex` (matched at the start) begins with."""
    from re import _constants as sre  # type: ignore[attr-defined]  # private module, no stubs
    from re import _parser as parser  # type: ignore[attr-defined]  # private module, no stubs

    parsed = parser.parse(regex)
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return ""
    literal: list[str] = []
    for op, argument in parsed:
        if op is sre.AT and argument is sre.AT_BEGINNING and not literal:
            continue
        if op is not sre.LITERAL:
            break
        literal.append(chr(argument))
    return "".join(literal)


class LookCommand(CommandHandler[Context, Any]):
    """A command that only shows something (/quota, /myrequests, /mydata), declared so where it
    is registered (`wiring.command_and_button(..., look=True)`, or `LookCommand(command,
    callback)` for a command without a menu button). Typed in the
    middle of a form (a Flow with `busy`, which otherwise answers every command with that
    sentence) it is answered there, as a question typed mid-form is, and the form's step comes
    again below it, where it was, the draft untouched. Registered before the form's
    conversation, it answers first and shows the step itself; after it, the form's
    `on_message` hands it over (`answer_look`)."""

    def __init__(self, command: str, callback: Callable[[Update, Context], Awaitable[object]]):
        async def look_then_form(update: Update, context: Context) -> None:
            await callback(update, context)
            await reshow_form(update, context)

        super().__init__(command, look_then_form)


def _looks(handlers: Sequence[BaseHandler[Any, Any, Any]]) -> list[LookCommand]:
    """The `LookCommand`s among `handlers`, and among the entry points of their conversations
    (/quota is the entry of a view that ends at once)."""
    found: list[LookCommand] = []
    for handler in handlers:
        if isinstance(handler, LookCommand):
            found.append(handler)
        elif isinstance(handler, ConversationHandler):
            found += _looks(handler.entry_points)
    return found


async def answer_look(update: Update, context: Context) -> bool:
    """The command of this message, if a `LookCommand` of the app takes it: answered, and the
    form's step shown again below it. False: no look takes it."""
    application: Any = context.application
    for group in sorted(application.handlers):
        for look in _looks(application.handlers[group]):
            found = look.check_update(update)
            if found is not None and found is not False:
                await look.handle_update(update, application, found, context)
                return True
    return False


def _command_handler(
    update: Update, context: Context, *, own: Flow
) -> tuple[BaseHandler[Any, Any, Any], object] | None:
    """The handler that takes this message's command outside any form, with its check: a
    `CommandHandler`, or a conversation (not a form's, not `own`'s) whose entry it is. None
    when none does (an unknown command) or when it opens another form (a Flow with `busy`)."""
    application: Any = context.application
    for group in sorted(application.handlers):
        if group < 0:
            continue
        for handler in application.handlers[group]:
            if isinstance(handler, ConversationHandler):
                if isinstance(handler, FlowConversation) and handler.flow is own:
                    continue
                entries = [h for h in handler.entry_points if isinstance(h, CommandHandler)]
                if not any(_takes(entry, update) for entry in entries):
                    continue
                if isinstance(handler, FlowConversation) and handler.flow.busy is not None:
                    return None
                check = handler.check_update(update)
                return (handler, check) if _taken(check) else None
            if isinstance(handler, CommandHandler) and _takes(handler, update):
                return handler, handler.check_update(update)
    return None


def _taken(check: object) -> bool:
    return check is not None and check is not False


def _takes(handler: BaseHandler[Any, Any, Any], update: Update) -> bool:
    return _taken(handler.check_update(update))


async def reshow_form(update: Update, context: Context) -> bool:
    """After a look (or a change of language): the step of the form the person is mid-way in
    (a Flow with `busy`), again, as a new message below the look, so the answer they were
    asked for is in view, in the person's language as it is now. False: no form is open."""
    if context.user_data is None or update.effective_user is None:
        return False
    for conversation in flows_in(context.application):
        flow = conversation.flow
        step = flow.step_of_state(conversation.state_of(update))
        if flow.busy is None or step is None or flow.key not in context.user_data:
            continue
        who = await context.person(update)
        if not await flow.allowed(update, context, who):
            return False
        context.anew = True
        await flow.ask(update, context, who, step.name)
        return True
    return False


def flows_in(application: Any) -> list[FlowConversation]:
    """Every Flow registered in the app, in the order PTB tries them."""
    return [
        handler
        for group in sorted(application.handlers)
        for handler in application.handlers[group]
        if isinstance(handler, FlowConversation)
    ]


def open_elsewhere(update: Update, context: Context) -> list[str]:
    """Names of the conversations not on the Flow (older kits) this person is in the middle of:
    their steps cannot be re-shown from here, but the person is not "in no conversation"."""
    found = []
    for group in sorted(context.application.handlers):
        for handler in context.application.handlers[group]:
            if isinstance(handler, ConversationHandler) and not isinstance(
                handler, FlowConversation
            ):
                if handler._conversations.get(handler._get_key(update)) is not None:
                    found.append(str(handler.name))
    return found


def discard_kept(context: Context) -> bool:
    """/cancel with no flow open: the forms put aside (idle, or by /menu) go too, so their
    command no longer offers "Continue where I left off". True if there was one."""
    if context.user_data is None or not context.user_data.get(KEPT_KEY):
        return False
    context.user_data.pop(KEPT_KEY, None)
    return True


def put_aside_forms(update: Update, context: Context) -> list[tuple[Flow, Step]]:
    """/start or /menu mid-way in a form (a Flow with `busy`): the form is put aside with what
    was typed, as an idle one is, and its conversation ends (any other flow open simply ends), so what the person types next is
    what the menu invites (a question), not the form's answer ("老人补贴怎么申请？" had become
    a request's description); its command then offers "Continue where I left off". Returns
    each form put aside and the step it was on (the caller says so; a step with its own
    keyboard takes it away with `Step.leave`)."""
    if context.user_data is None or update.effective_user is None:
        return []
    aside = []
    for conversation in flows_in(context.application):
        flow = conversation.flow
        step = flow.step_of_state(conversation.state_of(update))
        if step is None:
            continue
        if flow.busy is None:
            # A flow of screens (/report at its year) or a reply being typed: the menu leaves
            # it, as its command would start it at the top again. Left open, it took the
            # question the menu invites ("please choose one of the buttons", its step again).
            flow.drop(context)
            conversation.set_state(update, END)
            continue
        if flow.key not in context.user_data:
            continue
        flow.put_aside(context, step)
        conversation.set_state(update, END)
        aside.append((flow, step))
    return aside


async def reshow_current(update: Update, context: Context) -> bool:
    """A press no handler took: show the step the person is really on, with its buttons.

    First a flow the person is in (its persisted state, whose draft is there); then the flow
    the press belongs to, if its state was lost but its draft kept (it resumes at the step
    last shown). False when the person is in no flow: the caller says so."""
    user_data = context.user_data
    if user_data is None or update.effective_user is None:
        return False
    conversations = flows_in(context.application)
    for conversation in conversations:
        flow = conversation.flow
        step = flow.step_of_state(conversation.state_of(update))
        if step is not None and flow.key in user_data:
            who = await context.person(update)
            if await flow.allowed(update, context, who):
                await flow.ask(update, context, who, step.name)
                return True
    press = context.press(update)
    for conversation in conversations:
        flow = conversation.flow
        if press is None or press.prefix != flow.prefix or flow.key not in user_data:
            continue
        step = flow.last_shown(context)
        if step is None or not step.applies_when(flow.draft(context)):
            continue
        who = await context.person(update)
        if not await flow.allowed(update, context, who):
            return False
        conversation.set_state(update, await flow.ask(update, context, who, step.name))
        return True
    return False


# --- small conversations registered in group -1 (the inbox note, the rating) -----------------
Callback = Callable[[Update, Context], Awaitable[object]]
Consuming = Callable[[Update, Context], Coroutine[Any, Any, object]]


def consuming(callback: Callback) -> Consuming:
    """`callback`, then stop: no later handler group sees the update. For the handlers of a
    conversation registered in group -1, which sees an update before every other handler."""

    async def run(update: Update, context: Context) -> object:
        raise ApplicationHandlerStop(await callback(update, context))

    return run
