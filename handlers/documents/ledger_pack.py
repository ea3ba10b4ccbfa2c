"""The 台账 pack: one zip with a station-month's records as the bureau reads them.

- `目录.xlsx` (index): a cover sheet, one row per record, one row per supervision session,
  one row per volunteer activity with confirmed hours;
- a cover document (`00-封面.docx`) with the same cover figures;
- one Word document per template used that month, one record per page laid out as the form
  (a table of field and value) with its photos embedded;
- one Word document of the supervision sessions;
- the evidence files, in folders named after the record numbers.

Rendering only, from `services.ledger.LedgerMonth` (plain values) and the catalogues, in the
reader's language. No Telegram here; the figures are the ledger's, which are `/stats`'.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_BREAK
from docx.image.exceptions import UnrecognizedImageError
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from handlers.kit.i18n import Gettext
from knowledge.bundle import Knowledge
from knowledge.record_templates import CHOICE, YES, YES_NO
from services.ledger import LedgerMonth, LedgerRecord, LedgerSession
from services.record_forms import PHOTO

PHOTO_WIDTH = Cm(7.5)
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def hours(minutes: int | float) -> float:
    return round(minutes / 60, 2)


def share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def safe_name(text: str) -> str:
    return _UNSAFE.sub("_", text).strip("_") or "_"


def pack_name(ledger: LedgerMonth, _: Gettext) -> str:
    # TRANSLATORS: the word for 台账 in the pack's file name
    word = _("ledger")
    return f"{ledger.station_code}-{ledger.month:%Y-%m}-{word}.zip"


class _Names:
    def __init__(self, knowledge: Knowledge, lang: str) -> None:
        self.lang = lang
        self.templates = knowledge.record_templates
        self.groups = {g.code: g.name(lang) for g in knowledge.served_groups}
        self.topics = {t.code: t.name(lang) for t in knowledge.supervision_topics}

    def template(self, code: str) -> str:
        found = self.templates.template(code)
        return found.name(self.lang) if found else code

    def category(self, code: str) -> str:
        found = self.templates.category(code)
        return found.name(self.lang) if found else code

    def group(self, code: str) -> str:
        return self.groups.get(code, code)

    def topic(self, code: str | None) -> str:
        return self.topics.get(code, code) if code else ""


def cover_rows(ledger: LedgerMonth, _: Gettext, names: _Names) -> list[tuple[str, Any]]:
    """(label, value) rows of the cover; a row with value None is a section heading."""
    rows: list[tuple[str, Any]] = [
        (_("Station"), ledger.station_name(names.lang)),
        (_("Month"), f"{ledger.month:%Y-%m}"),
        (_("Records"), ledger.activities),
        (_("Hours logged"), hours(ledger.minutes)),
        (_("Person-times"), ledger.person_times),
        (_("Records by template"), None),
    ]
    for code, count in sorted(
        ledger.by_template.items(), key=lambda kv: _template_order(names, kv[0])
    ):
        rows.append((names.template(code), count))
    rows.append((_("Person-times by group"), None))
    group_order = list(names.groups)
    for code, count in sorted(
        ledger.by_group.items(),
        key=lambda kv: group_order.index(kv[0]) if kv[0] in group_order else len(group_order),
    ):
        rows.append((names.group(code), count))
    rows.append((_("Supervision"), None))
    quota = ledger.quota
    rows += [
        (_("Supervision sessions"), len(ledger.sessions)),
        (_("Supervision hours online"), round(quota.online_hours, 2) if quota else 0),
        (_("Supervision hours offline"), round(quota.offline_hours, 2) if quota else 0),
        (_("Supervision hours in all"), round(quota.total_hours, 2) if quota else 0),
        (_("Supervision quota (hours)"), quota.quota_hours if quota else "—"),
        (_("Quota met"), (_("yes") if quota.status == "met" else _("no")) if quota else "—"),
        (_("Completeness"), None),
    ]
    done = ledger.completeness
    rows += [
        (_("Group and community records"), done.evidence_records),
        (_("… with a photo and an attendance figure"), done.with_photo_and_attendance),
        (_("Share with a photo and an attendance figure"), share(done.evidence_share)),
        (_("Complete records"), done.complete_records),
        (_("Share of records complete"), share(done.complete_share)),
    ]
    cases = ledger.cases
    rows += [
        (_("Cases"), None),
        (_("Cases open (at the month's end, or now)"), cases.open),
        (_("Cases opened"), cases.opened),
        (_("Cases closed"), cases.closed),
        (_("Cases overdue for a contact"), cases.overdue),
        (_("Cases referred to another station"), cases.referrals_to_stations),
        (_("Cases referred to an agency"), cases.referrals_to_agencies),
        (_("Volunteer hours"), None),
        (_("Confirmed volunteer hours"), hours(ledger.volunteer_minutes)),
        (_("Volunteers with confirmed hours"), ledger.volunteers_with_hours),
        (_("Volunteer activities with confirmed hours"), len(ledger.volunteer_activities)),
    ]
    return rows


def _template_order(names: _Names, code: str) -> int:
    codes = [t.code for t in names.templates.templates]
    return codes.index(code) if code in codes else len(codes)


def _value_text(record: LedgerRecord, code: str, value: str, _: Gettext, names: _Names) -> str:
    template = names.templates.template(record.template_code)
    field = template.form_field(code) if template else None
    if field is not None and field.kind == CHOICE:
        option = field.option(value)
        return option.label(names.lang) if option else value
    if field is not None and field.kind == YES_NO:
        return _("yes") if value == YES else _("no")
    return value


def _field_label(record: LedgerRecord, code: str, _: Gettext, names: _Names) -> str:
    if code == PHOTO:
        return _("Activity photo")
    template = names.templates.template(record.template_code)
    field = template.form_field(code) if template else None
    return field.label(names.lang) if field else code


def _groups_text(record: LedgerRecord, _: Gettext, names: _Names) -> str:
    return _(", ").join(f"{names.group(code)} {value}" for code, value in record.groups)


def _evidence_name(record: LedgerRecord, index: int, local_path: str | None) -> str:
    match = _EXTENSION.search(local_path or "")
    return f"{record.number}/{index:02d}{match.group(0) if match else ''}"


def index_workbook(ledger: LedgerMonth, _: Gettext, names: _Names) -> bytes:
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        target = workbook.create_sheet(title)

        def cells(values: Sequence[Any], font: Any = None) -> list[Any]:
            out = []
            for value in values:
                cell = WriteOnlyCell(target, value=value)
                if font is not None:
                    cell.font = font
                out.append(cell)
            return out

        target.append(cells(header, bold))
        for row in rows:
            target.append(cells(row))

    sheet(
        _("Cover"),
        [_("Item"), _("Figure")],
        [(label, "" if value is None else value) for label, value in cover_rows(ledger, _, names)],
    )
    sheet(
        _("Records"),
        [
            _("Record number"), _("Date"), _("Category"), _("Template"), _("Title"), _("Worker"),
            _("Hours"), _("Person-times"), _("Groups"), _("Evidence files"), _("Complete"),
        ],
        [
            (
                r.number, r.activity_date.isoformat(), names.category(r.category_code),
                names.template(r.template_code), r.title, r.worker_name or "", hours(r.minutes),
                r.person_times, _groups_text(r, _, names), len(r.evidence),
                _("yes") if r.complete else _("no"),
            )
            for r in ledger.records
        ],
    )  # fmt: skip
    sheet(
        _("Supervision"),
        [
            _("Session number"), _("Date"), _("Supervisor"), _("Supervisees"), _("Form"),
            _("Mode"), _("Topic"), _("Topic as typed"), _("Hours"),
        ],
        [
            (
                s.number, s.session.session_date.isoformat(), s.supervisor_name or "",
                _supervisees(s, _), _form(s, _), _mode(s.session.mode, _),
                names.topic(s.session.topic_code), s.session.topic_text or "",
                hours(s.session.minutes),
            )
            for s in ledger.sessions
        ],
    )  # fmt: skip
    sheet(
        _("Volunteer hours"),
        [_("Date"), _("Activity"), _("Place"), _("Volunteers with confirmed hours"), _("Hours")],
        [
            (a.local_date.isoformat(), a.title, a.place, a.volunteers, hours(a.minutes))
            for a in ledger.volunteer_activities
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _supervisees(s: LedgerSession, _: Gettext) -> str:
    if s.session.whole_team:
        return _("the whole team")
    return _(", ").join(s.supervisee_names)


def _form(s: LedgerSession, _: Gettext) -> str:
    return {"individual": _("individual"), "group": _("group")}.get(s.session.form or "", "")


def _mode(mode: str, _: Gettext) -> str:
    return {"online": _("online"), "offline": _("offline")}.get(mode, mode)


def _new_document() -> Any:
    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    # Chinese text in a font Word has on Chinese systems, whatever the Latin font is.
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimSun")
    return document


def _style_id(document: Any, name: str) -> str:
    # Looking a style up by name scans every style each time; a 300-record pack asks ~1,000
    # times, so the ids are read once per document and set on the XML directly.
    cache = document.__dict__.setdefault("_ledger_style_ids", {})
    if name not in cache:
        cache[name] = document.styles[name].style_id
    return str(cache[name])


def _heading(document: Any, text: str, level: int) -> None:
    paragraph = document.add_paragraph(text)
    paragraph._p.style = _style_id(document, f"Heading {level}")


def _table(document: Any, rows: Sequence[tuple[str, str]]) -> None:
    # All rows at once: python-docx writes a new table's XML in one go, adding rows one by
    # one re-reads the grid each time.
    table = document.add_table(rows=len(rows), cols=2)
    table._tbl.tblPr.style = _style_id(document, "Table Grid")
    for column, width in zip(table.columns, (Cm(4.5), Cm(11.5)), strict=True):
        column.width = width
    for row, (label, value) in zip(table.rows, rows, strict=True):
        cells = row.cells
        cells[0].text = label
        cells[1].text = value


def _bytes(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def cover_document(ledger: LedgerMonth, _: Gettext, names: _Names) -> bytes:
    document = _new_document()
    month = _("{month}/{year}").format(month=ledger.month.month, year=ledger.month.year)
    _heading(
        document,
        _("{station} · ledger for {month}").format(
            station=ledger.station_name(names.lang), month=month
        ),
        level=1,
    )
    section: list[tuple[str, str]] = []
    for label, value in cover_rows(ledger, _, names):
        if value is None:
            _table(document, section)
            _heading(document, label, level=2)
            section = []
        else:
            section.append((label, str(value)))
    _table(document, section)
    return _bytes(document)


def template_document(
    records: Sequence[LedgerRecord],
    _: Gettext,
    names: _Names,
    read_evidence: Callable[[str], bytes | None],
) -> bytes:
    document = _new_document()
    for position, record in enumerate(records):
        if position:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _heading(document, f"{names.template(record.template_code)} {record.number}", level=2)
        rows = [
            (_("Record number"), record.number),
            (_("Date"), record.activity_date.isoformat()),
            (_("Worker"), record.worker_name or ""),
            (_("Hours"), f"{hours(record.minutes):g}"),
        ]
        if record.groups:
            rows += [
                (_("Person-times"), str(record.person_times)),
                (_("Groups"), _groups_text(record, _, names)),
            ]
        template = names.templates.template(record.template_code)
        values = dict(record.values)
        codes = [f.code for f in template.form] if template else list(values)
        for code in codes + [c for c in values if c not in codes]:
            value = values.get(code)
            rows.append(
                (
                    _field_label(record, code, _, names),
                    _value_text(record, code, value, _, names) if value is not None else "",
                )
            )
        if record.note:
            rows.append((_("Note"), record.note))
        rows.append((_("Evidence files"), str(len(record.evidence))))
        rows.append(
            (
                _("Complete"),
                _("yes")
                if record.complete
                else _("no, missing: {fields}").format(
                    fields=_(", ").join(_field_label(record, c, _, names) for c in record.missing)
                ),
            )
        )
        _table(document, rows)
        for index, item in enumerate(record.evidence, start=1):
            data = read_evidence(item.local_path) if item.local_path else None
            name = _evidence_name(record, index, item.local_path)
            is_image = item.kind == "photo" or (item.mime or "").startswith("image/")
            if data is not None and is_image:
                try:
                    document.add_picture(io.BytesIO(data), width=PHOTO_WIDTH)
                    continue
                except (UnrecognizedImageError, ValueError, KeyError):
                    pass  # not an image python-docx can place: named instead
            document.add_paragraph(
                _("Evidence file: {name}").format(name=name)
                if data is not None
                else _("Evidence file not copied yet: {name}").format(name=name)
            )
    return _bytes(document)


def supervision_document(ledger: LedgerMonth, _: Gettext, names: _Names) -> bytes:
    document = _new_document()
    for position, s in enumerate(ledger.sessions):
        if position:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _heading(document, _("Supervision record {number}").format(number=s.number), level=2)
        _table(
            document,
            [
                (_("Session number"), s.number),
                (_("Date"), s.session.session_date.isoformat()),
                (_("Supervisor"), s.supervisor_name or ""),
                (_("Supervisees"), _supervisees(s, _)),
                (_("Form"), _form(s, _)),
                (_("Mode"), _mode(s.session.mode, _)),
                (_("Topic"), names.topic(s.session.topic_code)),
                (_("Topic as typed"), s.session.topic_text or ""),
                (_("Hours"), f"{hours(s.session.minutes):g}"),
                (_("Key points"), s.session.key_points or ""),
                (_("Suggestions"), s.session.suggestions or ""),
            ],
        )
    return _bytes(document)


def build_pack(
    ledger: LedgerMonth, *, _: Gettext, knowledge: Knowledge, lang: str, media_dir: Path
) -> bytes:
    """The zip's bytes. Evidence copies are read from `media_dir`; a record whose copy is
    missing says so on its page instead of failing the pack."""
    names = _Names(knowledge, lang)
    root = media_dir.resolve()

    def read_evidence(relative: str) -> bytes | None:
        path = (root / relative).resolve()
        if root not in path.parents:
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    buffer = io.BytesIO()
    evidence_dir = _("evidence")
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as pack:
        index_name, cover_name = _("index"), _("cover")
        pack.writestr(f"{index_name}.xlsx", index_workbook(ledger, _, names))
        pack.writestr(f"00-{cover_name}.docx", cover_document(ledger, _, names))
        by_template: dict[str, list[LedgerRecord]] = {}
        for record in ledger.records:
            by_template.setdefault(record.template_code, []).append(record)
        for position, code in enumerate(
            sorted(by_template, key=lambda c: _template_order(names, c)), start=1
        ):
            pack.writestr(
                f"{position:02d}-{safe_name(names.template(code))}.docx",
                template_document(by_template[code], _, names, read_evidence),
            )
        if ledger.sessions:
            sessions_name = _("supervision records")
            pack.writestr(f"{sessions_name}.docx", supervision_document(ledger, _, names))
        for record in ledger.records:
            for index, item in enumerate(record.evidence, start=1):
                data = read_evidence(item.local_path) if item.local_path else None
                if data is not None:
                    # Photos are compressed already: stored, not deflated again.
                    pack.writestr(
                        zipfile.ZipInfo(
                            f"{evidence_dir}/{_evidence_name(record, index, item.local_path)}",
                            date_time=(ledger.month.year, ledger.month.month, 1, 0, 0, 0),
                        ),
                        data,
                        compress_type=zipfile.ZIP_STORED,
                    )
    return buffer.getvalue()
