"""The Telegram toolkit every journey builds on. It imports no journey (an architecture test,
`tests/unit/test_handler_packages.py`, enforces it); journeys import it, never the reverse.

What each module gives
----------------------
- `context`: `BotData` (what `bot/` fills in: uow, clock, translator, knowledge, outbox, ...,
  and `show_menu`, set by `handlers.people.register`, and `on_free_text`, set by
  `handlers.questions.register`); `Context`, PTB's `CallbackContext` as
  installed by `ContextTypes(context=Context, bot_data=BotData)`, with
  `await context.person(update) -> Speaker` (resolved once per update; `forget_person()` after
  changing the person) and `context.press(update) -> Press | None`; `Speaker` (`access`,
  `gettext`, `lang`, `tg_id`); `speaker(update, context)`, the older uncached spelling.
- `callbacks`: the one codec. `encode(prefix, kind, *args) -> str` (raises `CallbackTooLong`
  past 64 bytes, `ValueError` on ':' inside a part); `parse(data) -> Press | None`;
  `Press.arg(i) -> str | None`, `Press.int_arg(i) -> int | None` (1..2**63-1 only: a forged
  40-digit id is None, never OverflowError); `pattern(prefix, kind=None) -> regex`.
- `screen`: `await show(update, text, markup=None, *, new=False, answered=False)` edits the
  pressed message or sends a new one ("message is not modified" swallowed here only);
  `await show_surely(update, text, markup)` for the answer after a commit (a new message,
  tried twice, when Telegram fails the edit);
  `await drop_buttons(update, *, keep=None)` (`keep`: rows that stay); `await alert(update, text)`;
  `await answer_press(update)` (stops a pressed button's spinner; nothing for a command).
- `flow`: `Step`, `Flow`, `Screen(text, rows)`, `Reask(problem)`, `END`, `SUMMARY`, the input
  kinds `BUTTON, TEXT, NUMBER, DATE, PHONE`, `reask_text(_, kind)` (one sentence per kind) and
  `cancelled_text(_)` (the one "Cancelled. Nothing was saved."). `Flow.conversation()` returns a
  `FlowConversation` (a ConversationHandler that knows its Flow): `flows_in(app)` is the app's
  registry of flows, and `await reshow_current(update, context) -> bool` (people's last-resort
  press handler calls it) re-shows the step a person is really on for a press no handler took
  (the persisted state; or, when the state was lost but the draft kept, the step last shown,
  noted in `user_data[STEPS_KEY]`, which /mydata leaves out); `open_elsewhere(update, context)`
  names the older-kit conversations the person is mid-way in. One flow at a time: a flow that
  opens (`on_start`, or an entry of its own: `await flow.set_aside_others(update, context,
  who)`) ends every other flow still open, a form or a flow with a command keeping its draft
  for "Continue where I left off", one begun from a card's button dropped.
- `steps`: `choice_step`, `station_step`, `text_step`, `toggles_step` (☑️/◻️, the one toggle
  style), `date_steps` (Today / Yesterday / Another day + the calendar, or typed),
  `hours_step` (buttons `offered`, any minute with `step=None`), `count_step` (a whole number
  within `bounds(draft)`), `confirm_step` (Save + Edit buttons), `date_refused`,
  `local_today`, `phone_step` (one message: a reply keyboard of "📱 Share my phone number" and
  the typed buttons "Keep: <number>" when the draft has one, « Back, ✖ Cancel; or typed; a
  mainland number in E.164; leaving it by any way takes the keyboard away), `phone_problem`,
  `phone_checked(step, key=, prefix=)` (a free-text note step that points out a phone number
  typed in it: «Remove the number» masks it, «Keep as typed»; /log's and a case's notes,
  /supervise's typed topic; with `read=`, `write=`, `then=`, `below=` the record form's one
  field step), `phone_warning` (that warning alone, for a conversation not on the Flow: the
  inbox's completion note and decline reason); the
  date keyboards (`date_buttons`, `calendar_step`) and the sentences for a refused date or
  number (`unread_date` (the one sentence for a typed date `services.dates.read_date` could not
  take, with an example day from `example_day(today, ahead=)` that the step takes), `date_problem`, `hours_problem`, `count_problem`, `number_problem`).
- `words`: `role_label(_, role)`, `phone_text(phone)`, `zone_name(_, zone)` ("Beijing time"), `day_label(_, day, today=)` and `moment_label(_, moment, zone, now=)` (the one way a day / a moment is shown: 12月2日 8:30 / Dec 2 8:30), `clock_label`, `month_label`,
  `hours_label`, `in_sentence` (a label lower-cased inside an English sentence), `only_for(who, *roles)` (the one "this is only for ..." refusal, for every journey; a resident hears only that it is for staff), `listed(_, items)` ("a, b and c"),
  `ngettext_for(translator, lang)` (plural forms); it re-exports the count phrases of `i18n`.
- `keyboards` (`grid`, `choices`, `nav_row`, `markup`, `station_buttons`), `i18n`
  (`Translator`, `Gettext`, `N_`, `ngettext_of(_)`: the plural forms of the language a bare
  `_` speaks, for renderers handed only `_`; the count phrases `hours_label`, `plural_n(value)`
  (the n for a decimal: only exactly 1 is singular), `hours_count(ngettext, h)` ("1 hour",
  "1.5 hours"), `volunteers_count`, `activities_count`, `person_times_count` (each
  `(ngettext, n)`), here so that `documents/` may use them; catalogues `handlers/locales/*/LC_MESSAGES/*.po`, all merged
  at load, one file per package or journey), `errors` (`on_error`), `consent` (the privacy and
  cross-border texts, `record`, and `consent_steps(prefix=, purpose=)`: consent as a
  sub-flow, two `Step`s in the states "consent_pi"/"consent_xb" that apply while
  `draft[NEEDS_CONSENT]`, set in `begin` with `await needs_consent(context, who)`; declining
  shows the station's number and hours), `prompts` (only management's `draft_in` /
  `clear_draft`, which live in `context`; goes when management moves). `flow.consuming` wraps
  the handlers of a small conversation registered in group -1 (the inbox note, the rating).
- `steps` also gives `offered(value, choices)` (a pressed value the step offered, else the
  step again), `typed_into(key, limit, too_long)` and `number_press(store)` (the handlers of
  typed text and of a number button); a step's draft key is its name unless `key=` says
  otherwise.
- `wiring`: what `register(app)` repeats: `command_and_button(command, handler, look=False)`
  (`look`: a command that only shows something, answered mid-form too with the step again
  below it: `flow.LookCommand`),
  `presses({regex: handler})` / `add_presses(app, table)`, `add_all(app, handlers)`, and
  `persistent_conversation(name, entry_points, states)` for a conversation that is not a Flow.

How to declare a Step
---------------------
    Step(name, render, presses={kind: handler}, on_text=handler, expects=TEXT,
         applies_when=lambda draft: ..., back=True, persisted=None, nav=True)

`render(context, who, draft) -> Screen(text, rows)` (the Flow adds the « Back / ✖ Cancel row).
A press handler is `async (update, context, who, draft, press) -> Outcome`, a text handler
`async (update, context, who, draft, text) -> Outcome`. Outcome: None = the next step that
applies (after the last, `Flow.finish`), a step name = that step, `SUMMARY`, `END`, or `STAY`
(the handler answered the press itself, e.g. with an alert). A handler that already answered
the press and said something of its own sets `context.anew = True`: the next step comes as a
new message below it. `Step(present=, leave=, on_contact=, typed_buttons=)` are the hooks the
phone step uses (its own way of showing, what leaving by Back / Cancel / /cancel, a fresh start
of the flow or an idle form put aside says, a shared contact, and its buttons shown as typed
buttons on a reply keyboard, whose labels the Flow reads back as their presses: compared after
NFKC and stripping, `flow.typed_label`; « Back / ✖ Cancel in either language);
`Step(on_media=)` takes a photo or a document sent while the step is current,
`async (update, context, who, draft, message) -> Outcome` (the evidence step of /log);
without it such a message is re-asked as before.
`Step(free_text=True)`: typed text is this step's answer even though it has buttons (a
description typed at a choice); without it only `expects=TEXT` steps take free text, and text at
any other step that the knowledge base answers is answered (`BotData.answer_in_form`), then the
step is shown again (see flow's docstring).
`Step(knowledge_first=False)`: typed text goes straight to the step, emergencies included (the
reply relay, whose text is a message to a person).
`Reask(problem, step)` may name another step to show (also from `Flow.finish`).
`raise Reask("problem")` shows the same step again under the problem (`Reask(None)`: plainly).
Presses are `<flow prefix>:<kind>[:args]`; build them with `callbacks.encode`.

How to write a Flow
-------------------
    BUSY = N_("You are in the middle of an invitation. Finish it, or send /cancel.")
    FLOW = Flow("invite", "inv", (ROLE, STATION), begin, create, command="invite",
                allowed=admins_only, busy=BUSY)  # fmt: skip
    app.add_handler(FLOW.conversation())

`Flow(name, prefix, steps, begin, finish, **options)`: the five every flow has, in the order
they are read (what it is called and persisted as, its buttons' prefix, its steps, how it
starts, how it ends), then only the options it uses, so each declaration fits in two or three
lines and says only what is particular to its journey (`# fmt: skip` keeps that layout).

`command="invite"`: the flow's own command, which its menu button `menu:invite` starts too
(`commands=` and `entry_patterns=` add more); `busy` and `ended` are `N_()` msgids.
`begin(update, context, who) -> Draft | None` makes the fresh draft (None: it said why not);
`ended` set: a press or message while the draft is gone (consumed by `finish`, erased) ends
the conversation with that sentence instead of restarting the steps on an empty draft;
`idle=DRAFT_IDLE` (the default, `BotData.draft_idle`) or `idle=WORK_IDLE` (the staff's record
forms, `BotData.work_draft_idle`): how long the draft may stay idle before it is put aside.
`finish(update, context, who, draft) -> Outcome` calls the one service and says the last word
(return END, or a step name to ask again: a `finish` that showed that step itself, under
its own problem, and returns its state is not shown it again; a step `finish` asks again is
followed by the summary, as after Edit). `allowed` is re-checked on every update. `busy`
set: other commands in the middle get that sentence (else they pass through). The Flow gives
Back, Edit from the summary (`<prefix>:edit:<step>`, back to the summary afterwards), Cancel
and /cancel, a stale press (a kind the current step does not take) re-showing the current
step, and a re-ask for photos, stickers, voice, locations. See `handlers/management/admin.py`
(/invite, two steps), `handlers/work/supervision.py` (/supervise, seven steps) and
`handlers/work/activity_log.py` (/log, eleven steps, one of them asked once per group).

Persistence and state names
---------------------------
The ConversationHandler is persistent and named `Flow.name`; its states are `Step.state`: the
step's `name`, or `persisted` when an older release stored something else (/supervise keeps
the integers 0-6). The persisted state says which step a press belongs
to (the draft holds answers only). The draft lives in `user_data[Flow.key]` (`draft_key`, else `name`). Renaming a persisted
state or draft key strands people who are mid-way: keep the old value with `persisted=` /
`draft_key=`, or add a data migration of the `persisted_state` rows, tested from a row as the
current release writes it.
"""
