"""The record's own steps, shared by /log and by "Complete it" / "Add photos" in /mylogs:

- `field_step`: the template's form (knowledge `record_templates.yaml`, `form:`), one field per
  screen, the step asked once per field (as /log's split is asked once per group). Label and
  hint; buttons for a choice or yes/no, typed text, number or date (checked by
  `services.record_forms.check_field_value`, text kept exactly as typed); "Skip »" where the
  field is optional, and for a required one a Skip that says the record stays incomplete.
  At a choice or yes/no field the step is a button step for the kit (`expects_when`, issue
  12): typed text that is an option's label as the person reads it ("转介", "是", "No")
  picks it, any other is a question for the knowledge base (or an emergency: the numbers),
  answered with the field shown again; at a text, number or date field typed text is the
  answer, whatever it says.
  The draft keeps `form` (the codes to ask), `asked` (the codes answered or skipped) and
  `fields` (code -> stored value).
- `evidence_step`: photos and PDF or image documents, up to the rule's count per record, each
  checked against the size limit when it arrives (a refused file changes nothing else in the
  draft); "Done" / "Skip". The draft keeps `evidence`: what Telegram said about each file.
- `store_evidence`: after the record exists, each file fetched from Telegram
  (`context.bot.get_file`), our copy written under the media folder (`services.media`) and
  the file attached with `records.add_evidence`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, Message, Update
from telegram.error import BadRequest, TelegramError

from handlers.kit.callbacks import Press, encode
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import BUTTON, TEXT, Draft, Outcome, Reask, Screen, Step
from handlers.kit.i18n import Gettext
from handlers.kit.steps import example_day, local_today, phone_checked, unread_date
from handlers.kit.words import day_label
from knowledge.record_templates import (
    CHOICE,
    LONG_TEXT,
    NO,
    NUMBER,
    SHORT_TEXT,
    YES,
    YES_NO,
    FormField,
)
from services import media, record_forms, records
from services.dates import NO_SUCH_DAY, NOT_A_DATE
from services.errors import DomainError, InvalidValue

Previous = Callable[[Draft], str]  # the step before the form, for Back on its first field


def _template(context: Context, draft: Draft) -> Any:
    code = draft.get("template")
    return context.bot_data.knowledge.record_templates.template(code) if code else None


def current_field(context: Context, draft: Draft) -> FormField | None:
    """The next field of the form not yet answered or skipped."""
    template = _template(context, draft)
    if template is None:
        return None
    asked = set(draft.get("asked", []))
    wanted = list(draft.get("form", []))
    return next((f for f in template.form if f.code in wanted and f.code not in asked), None)


def fields_left(draft: Draft) -> bool:
    return bool(set(draft.get("form", [])) - set(draft.get("asked", [])))


def field_problem(
    _: Gettext, error: InvalidValue, form_field: FormField, rules: Any, today: date
) -> str:
    """One sentence for a refused typed value."""
    reason = error.reason
    if reason == record_forms.EMPTY:
        return _("Please type something, or press Skip.")
    if reason == record_forms.TOO_LONG:
        return _("That is too long: please keep it to {limit} characters.").format(
            limit=record_forms.text_limit(form_field, rules)
        )
    if reason == record_forms.NOT_A_NUMBER:
        return _("Please type a number, like 12.")
    if reason in (record_forms.TOO_SMALL, record_forms.TOO_LARGE):
        low, high = record_forms.number_range(form_field, rules)
        return _("Please type a number from {low} to {high}.").format(
            low=f"{low:g}", high=f"{high:g}"
        )
    if reason in (NOT_A_DATE, NO_SUCH_DAY):
        return unread_date(_, error, today)
    return _("Please choose one of the buttons.")


def value_label(_: Gettext, form_field: FormField, value: str, lang: str) -> str:
    """A stored value as the person reads it (a choice's label, Yes / No), not escaped."""
    if form_field.kind == CHOICE:
        option = form_field.option(value)
        return option.label(lang) if option is not None else value
    if form_field.kind == YES_NO:
        return _("Yes") if value == "yes" else _("No")
    return value


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def typed_option(_: Gettext, form_field: FormField, text: str, lang: str) -> str | None:
    """The option code whose label (as the person reads it: "是" / "否", "Referred") the typed
    text is, or None. A worker may type an option rather than press it."""
    if form_field.kind == CHOICE:
        options = [(o.code, o.label(lang)) for o in form_field.options]
    elif form_field.kind == YES_NO:
        options = [(YES, _("Yes")), (NO, _("No"))]
    else:
        return None
    typed = _plain(text)
    return next((code for code, label in options if _plain(label) == typed), None)


def form_lines(context: Context, who: Speaker, draft: Draft) -> list[str]:
    """The form's answers for a summary, escaped; a skipped required field says so."""
    template = _template(context, draft)
    if template is None:
        return []
    _ = who.gettext
    values = dict(draft.get("fields", {}))
    lines = []
    for form_field in template.form:
        if form_field.code not in draft.get("form", []):
            continue
        value = values.get(form_field.code)
        if value is not None:
            shown = value_label(_, form_field, value, who.lang)
        elif form_field.required:
            shown = _("(missing: the record stays incomplete)")
        else:
            continue
        # "{label}: {value}" is "{label}：{value}" in Chinese (full-width after Chinese text)
        label = escape(form_field.label(who.lang))
        lines.append(_("{label}: {value}").format(label=label, value=escape(shown)))
    return lines


TYPED_FIELD = "_typed_field"  # draft: the text field just typed, for its phone number check


def _typed_text(draft: Draft) -> str | None:
    """The text field's answer just typed (checked for phone numbers), else None."""
    code = draft.get(TYPED_FIELD)
    asked = draft.get("asked") or []
    if not code or not asked or asked[-1] != code:
        return None
    value = (draft.get("fields") or {}).get(code)
    return value if isinstance(value, str) else None


def _mask_typed(draft: Draft, masked: str) -> None:
    draft.setdefault("fields", {})[draft[TYPED_FIELD]] = masked


def field_step(name: str, *, prefix: str, previous: Previous, persisted: Any = None) -> Step:
    """The form, one field per screen (see the module docstring). A text field's answer with
    what looks like a phone number in it is pointed out before the next field (the kit's
    `phone_checked`, as for /log's note)."""

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        form_field = current_field(context, draft)
        assert form_field is not None  # the step applies only while a field is left
        lang = who.lang
        title = "<b>" + escape(form_field.label(lang)) + "</b>"
        if not form_field.required:
            title += _(" (optional)")  # zh: （选填）, with no space before it
        lines = [title]
        if form_field.hint(lang):
            lines.append(escape(form_field.hint(lang)))
        rows: list[list[InlineKeyboardButton]] = []
        if form_field.kind == CHOICE:
            rows += [
                [InlineKeyboardButton(o.label(lang), callback_data=encode(prefix, "fv", o.code))]
                for o in form_field.options
            ]
        elif form_field.kind == YES_NO:
            rows.append(
                [
                    InlineKeyboardButton(_("Yes"), callback_data=encode(prefix, "fv", "yes")),
                    InlineKeyboardButton(_("No"), callback_data=encode(prefix, "fv", "no")),
                ]
            )
        elif form_field.kind == NUMBER:
            lines.append(_("Type a number."))
        elif form_field.kind == LONG_TEXT:
            lines.append(
                _("Type it (up to {limit} characters).").format(
                    limit=context.bot_data.knowledge.record_rules.long_text_max
                )
            )
        elif form_field.kind == "date":
            example = day_label(_, example_day(local_today(context)))
            lines.append(_("Type the date, like {day} or today.").format(day=example))
        else:
            lines.append(_("Type it."))
        if form_field.required:
            lines.append(_("Required: you may skip it now, but the record stays incomplete."))
            skip = _("Skip for now »")
        else:
            skip = _("Skip »")
        rows.append([InlineKeyboardButton(skip, callback_data=encode(prefix, "fs"))])
        rows += nav_rows(_)
        return Screen("\n".join(lines), rows)

    def nav_rows(_: Gettext) -> list[list[InlineKeyboardButton]]:
        return [
            [
                InlineKeyboardButton(_("« Back"), callback_data=encode(prefix, "fb")),
                InlineKeyboardButton(_("✖ Cancel"), callback_data=encode(prefix, "cancel")),
            ]
        ]

    def answered(draft: Draft, code: str, value: str | None) -> Outcome:
        fields = draft.setdefault("fields", {})
        if value is None:
            fields.pop(code, None)
        else:
            fields[code] = value
        draft.setdefault("asked", []).append(code)
        return name if fields_left(draft) else None

    async def on_value(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        form_field = current_field(context, draft)
        if form_field is None:
            return None
        try:
            value = record_forms.check_field_value(
                form_field, press.arg() or "", context.bot_data.knowledge.record_rules
            )
        except InvalidValue:
            raise Reask(who.gettext("Please choose one of the buttons.")) from None
        return answered(draft, form_field.code, value)

    async def on_skip(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        form_field = current_field(context, draft)
        return None if form_field is None else answered(draft, form_field.code, None)

    async def on_back(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        asked = draft.setdefault("asked", [])
        if not asked:
            return previous(draft)
        code = asked.pop()
        draft.setdefault("fields", {}).pop(code, None)
        return name

    def expects(context: Context, draft: Draft) -> str:
        """A choice or yes/no field is a button step: typed text there is read for an option
        and, refused, may be a question for the knowledge base (issue 12); a text, number or
        date field takes typed text as its answer."""
        form_field = current_field(context, draft)
        return BUTTON if form_field is not None and form_field.kind in (CHOICE, YES_NO) else TEXT

    async def on_text(
        update: Update, context: Context, who: Speaker, draft: Draft, text: str
    ) -> Outcome:
        form_field = current_field(context, draft)
        if form_field is None:
            return None
        rules = context.bot_data.knowledge.record_rules
        picked = typed_option(who.gettext, form_field, text, who.lang)
        try:
            value = record_forms.check_field_value(
                form_field, picked or text, rules, today=local_today(context)
            )
        except InvalidValue as error:
            problem = field_problem(who.gettext, error, form_field, rules, local_today(context))
            raise Reask(problem) from None
        if form_field.kind in (SHORT_TEXT, LONG_TEXT):
            draft[TYPED_FIELD] = form_field.code
        else:
            draft.pop(TYPED_FIELD, None)
        return answered(draft, form_field.code, value)

    def typed_no(context: Context, who: Speaker, draft: Draft) -> str | None:
        """At a yes/no field "不用了", "不要" typed is No."""
        form_field = current_field(context, draft)
        return encode(prefix, "fv", NO) if form_field and form_field.kind == YES_NO else None

    def typed_yes(context: Context, who: Speaker, draft: Draft) -> str | None:
        """At a yes/no field "好", "嗯" typed is Yes."""
        form_field = current_field(context, draft)
        return encode(prefix, "fv", YES) if form_field and form_field.kind == YES_NO else None

    step = Step(
        name,
        render,
        {"fv": on_value, "fs": on_skip, "fb": on_back},
        on_text=on_text,
        typed_no=typed_no,
        typed_yes=typed_yes,
        expects=TEXT,
        expects_when=expects,
        applies_when=fields_left,
        persisted=persisted,
        nav=False,
    )
    return phone_checked(
        step,
        key=TYPED_FIELD,
        prefix=prefix,
        read=_typed_text,
        write=_mask_typed,
        then=lambda draft: name if fields_left(draft) else None,
        below=nav_rows,
    )


# --- evidence ---------------------------------------------------------------------------------
def _incoming(message: Message) -> dict[str, Any] | None:
    """What Telegram says about a photo (its largest size) or a document."""
    if message.photo:
        photo = message.photo[-1]
        return {
            "kind": records.PHOTO_KIND,
            "file_id": photo.file_id,
            "unique": photo.file_unique_id,
            "mime": "image/jpeg",
            "size": photo.file_size or 0,
        }
    if message.document is not None:
        document = message.document
        return {
            "kind": records.DOCUMENT_KIND,
            "file_id": document.file_id,
            "unique": document.file_unique_id,
            "mime": document.mime_type,
            "size": document.file_size or 0,
        }
    return None


def evidence_problem(_: Gettext, error: DomainError, rules: Any) -> str:
    if isinstance(error, records.EvidenceTooLarge):
        return _(
            "That file is too large: the limit is {limit} MB. Nothing else was lost; "
            "send a smaller one, or press Done."
        ).format(limit=f"{error.max_bytes / 1_000_000:g}")
    if isinstance(error, records.EvidenceLimitReached):
        return _("This record already has {limit} files, the most it can hold.").format(
            limit=error.limit
        )
    return _("Please send a photo, or a PDF or image file.")


async def check_incoming(context: Context, who: Speaker, message: Message) -> dict[str, Any]:
    """The file's facts, checked before anything is kept; Reask with the reason if refused.
    The size comes from the message and again from Telegram's getFile."""
    _ = who.gettext
    rules = context.bot_data.knowledge.record_rules
    item = _incoming(message)
    if item is None:
        raise Reask(_("Please send a photo, or a PDF or image file."))
    try:
        records.check_evidence_file(
            kind=item["kind"], mime=item["mime"], size=item["size"], rules=rules
        )
        try:
            telegram_file = await context.bot.get_file(item["file_id"])
        except BadRequest as error:  # Telegram serves bots files up to 20 MB only
            if "too big" in str(error).lower():
                raise records.EvidenceTooLarge(rules.evidence_max_bytes) from None
            raise
        item["size"] = telegram_file.file_size or item["size"]
        records.check_evidence_file(
            kind=item["kind"], mime=item["mime"], size=item["size"], rules=rules
        )
    except DomainError as error:
        raise Reask(evidence_problem(_, error, rules)) from None
    return item


def evidence_step(name: str, *, prefix: str, persisted: Any = None, applies: Any = None) -> Step:
    """Photos and documents for the record being entered (kept in `draft["evidence"]`)."""

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        count = len(draft.get("evidence", []))
        limit = context.bot_data.knowledge.record_rules.evidence_per_record
        text = _(
            "Send activity photos, a photographed sign-in sheet, or PDF or image files "
            "(up to {limit}). Then press Done, or Skip."
        ).format(limit=limit)
        template = _template(context, draft)
        needed = bool(template is not None and template.photo_required and not count)
        if needed:
            # Skipping is allowed, but the record then counts as incomplete: say so here,
            # not only after saving ("没有可点跳过" read as "a photo is optional").
            text += "\n" + _(
                "This kind of record needs a photo to be complete: if you skip it now, add it "
                "later from the record's card."
            )
        if count:
            text += "\n" + _("Received so far: {count}.").format(count=count)
        label = _("Done ✔") if count else _("Skip for now »") if needed else _("Skip »")
        return Screen(text, [[InlineKeyboardButton(label, callback_data=encode(prefix, "evd"))]])

    async def on_media(
        update: Update, context: Context, who: Speaker, draft: Draft, message: Message
    ) -> Outcome:
        _ = who.gettext
        evidence = draft.setdefault("evidence", [])
        limit = context.bot_data.knowledge.record_rules.evidence_per_record
        if len(evidence) >= limit:
            raise Reask(evidence_problem(_, records.EvidenceLimitReached(limit), None))
        item = await check_incoming(context, who, message)
        if all(e["unique"] != item["unique"] for e in evidence):
            evidence.append(item)
        context.anew = True  # the next screen comes below the file
        return name

    async def on_done(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        return None

    return Step(
        name,
        render,
        {"evd": on_done},
        on_media=on_media,
        applies_when=applies or (lambda draft: "form" in draft),
        persisted=persisted,
    )


async def store_evidence(
    context: Context,
    who: Speaker,
    *,
    activity_id: int,
    station_code: str,
    items: list[dict[str, Any]],
) -> list[str]:
    """Each file: fetched, our copy written, attached. Returns the problems (translated), one
    per file that could not be attached; the files attached stay attached."""
    _ = who.gettext
    data = context.bot_data
    rules = data.knowledge.record_rules
    media_dir = Path(data.extras.get("media_dir") or "media")
    problems: list[str] = []
    for item in items:
        relative = media.evidence_relative_path(
            station_code=station_code,
            activity_id=activity_id,
            file_unique_id=item["unique"],
            mime=item["mime"],
        )
        local: str | None = None
        try:
            telegram_file = await context.bot.get_file(item["file_id"])

            async def download(telegram_file: Any = telegram_file) -> bytes:
                return bytes(await telegram_file.download_as_bytearray())

            copy = await media.store_copy(
                media_dir=media_dir,
                relative_path=relative,
                max_bytes=rules.evidence_max_bytes,
                download=download,
            )
            local = copy.relative_path
        except (TelegramError, media.MediaDownloadFailed):
            local = None  # Telegram's file_id is kept; the copy can be fetched again later
        except records.EvidenceTooLarge as error:
            problems.append(evidence_problem(_, error, rules))
            continue
        try:
            await data.use_case(
                records.add_evidence,
                actor_tg_id=who.tg_id,
                activity_id=activity_id,
                kind=item["kind"],
                file_id=item["file_id"],
                file_unique_id=item["unique"],
                mime=item["mime"],
                size=int(item["size"]),
                local_path=local,
                now=data.clock.now(),
                rules=rules,
            )
        except DomainError as error:
            if local is not None:
                media.discard(media_dir=media_dir, relative_path=local)
            problems.append(evidence_problem(_, error, rules))
    return problems
