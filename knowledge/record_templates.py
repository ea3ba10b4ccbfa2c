"""The city's record templates (文书套表), from `record_templates.yaml`.

Ten categories and thirty-six templates by default; a deployment may ship its own file. Each
template lists the fields `/log` asks for, so desk work (a plan, a monthly report) never asks
for person-times and never inflates the figures a station reports; and its form: the paper
form's own fields (`FormField`), which `services.records` validates and stores as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.loading import (
    CatalogError,
    read_yaml,
    reject_unknown_keys,
    require_bilingual,
    require_code,
    resolve,
)

FILE_NAME = "record_templates.yaml"
MAX_CODE = 24  # codes travel in callback_data (64 bytes) with a prefix
DURATION, GROUPS, PERSON_TIMES, NOTE = "duration", "groups", "person_times", "note"
KNOWN_FIELDS = (DURATION, GROUPS, PERSON_TIMES, NOTE)
SHORT_TEXT, LONG_TEXT, NUMBER, DATE, CHOICE, YES_NO = (
    "short_text", "long_text", "number", "date", "choice", "yes_no",
)  # fmt: skip
FIELD_KINDS = (SHORT_TEXT, LONG_TEXT, NUMBER, DATE, CHOICE, YES_NO)
YES, NO = "yes", "no"


@dataclass(frozen=True)
class ChoiceOption:
    code: str
    label_zh: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_zh if lang.startswith("zh") else self.label_en


@dataclass(frozen=True)
class FormField:
    """One field of a template's form beyond hours, groups and person-times."""

    code: str
    label_zh: str
    label_en: str
    kind: str  # one of FIELD_KINDS
    required: bool
    hint_zh: str
    hint_en: str
    options: tuple[ChoiceOption, ...] = ()  # choice only
    min_value: float | None = None  # number only; None: record_rules' range
    max_value: float | None = None

    def label(self, lang: str) -> str:
        return self.label_zh if lang.startswith("zh") else self.label_en

    def hint(self, lang: str) -> str:
        return self.hint_zh if lang.startswith("zh") else self.hint_en

    def option(self, code: str) -> ChoiceOption | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class RecordTemplate:
    code: str
    category_code: str
    name_zh: str
    name_en: str
    fields: tuple[str, ...]
    form: tuple[FormField, ...] = ()
    # Group sessions and community activities need a photo (or a photographed sign-in sheet).
    photo_required: bool = False

    def form_field(self, code: str) -> FormField | None:
        return next((f for f in self.form if f.code == code), None)

    @property
    def required_fields(self) -> tuple[FormField, ...]:
        return tuple(f for f in self.form if f.required)

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en

    def asks(self, field: str) -> bool:
        return field in self.fields

    @property
    def counts_people(self) -> bool:
        """Whether an activity in this template serves residents (groups and person-times)."""
        return PERSON_TIMES in self.fields


@dataclass(frozen=True)
class TemplateCategory:
    code: str
    name_zh: str
    name_en: str
    templates: tuple[RecordTemplate, ...]

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


@dataclass(frozen=True)
class TemplateCatalog:
    categories: tuple[TemplateCategory, ...]

    def template(self, code: str) -> RecordTemplate | None:
        return next((t for t in self.templates if t.code == code), None)

    def category(self, code: str) -> TemplateCategory | None:
        return next((c for c in self.categories if c.code == code), None)

    @property
    def templates(self) -> tuple[RecordTemplate, ...]:
        return tuple(t for c in self.categories for t in c.templates)


def load_record_templates(directory: Path | None = None) -> TemplateCatalog:
    """Raises CatalogError naming the file, the entry and what is wrong with it."""
    path = resolve(directory, FILE_NAME)
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise CatalogError(path, None, "expected a top-level `categories:` list")
    categories: list[TemplateCategory] = []
    category_codes: set[str] = set()
    template_codes: set[str] = set()
    for index, raw in enumerate(data["categories"]):
        entry = f"categories[{index}]"
        if not isinstance(raw, dict):
            raise CatalogError(path, entry, "must be a mapping")
        code = require_code(path, entry, raw.get("code"), max_len=MAX_CODE)
        reject_unknown_keys(path, code, raw, ("code", "name", "templates"))
        if code in category_codes:
            raise CatalogError(path, code, "duplicate category code")
        category_codes.add(code)
        name_zh, name_en = require_bilingual(path, code, raw, "name")
        raw_templates = raw.get("templates")
        if not isinstance(raw_templates, list) or not raw_templates:
            raise CatalogError(path, code, "`templates` must be a non-empty list")
        templates = []
        for t_index, raw_template in enumerate(raw_templates):
            template = _parse_template(path, f"{code}.templates[{t_index}]", code, raw_template)
            if template.code in template_codes:
                raise CatalogError(path, template.code, "duplicate template code")
            template_codes.add(template.code)
            templates.append(template)
        categories.append(TemplateCategory(code, name_zh, name_en, tuple(templates)))
    if not categories:
        raise CatalogError(path, None, "no categories")
    return TemplateCatalog(tuple(categories))


def _parse_template(path: Path, entry: str, category: str, raw: Any) -> RecordTemplate:
    if not isinstance(raw, dict):
        raise CatalogError(path, entry, "must be a mapping")
    code = require_code(path, entry, raw.get("code"), max_len=MAX_CODE)
    reject_unknown_keys(path, code, raw, ("code", "name", "fields", "form", "photo_required"))
    name_zh, name_en = require_bilingual(path, code, raw, "name")
    fields = raw.get("fields")
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise CatalogError(path, code, "`fields` must be a list of field names")
    unknown = [f for f in fields if f not in KNOWN_FIELDS]
    if unknown:
        raise CatalogError(
            path, code, f"unknown field {unknown[0]!r} (known: {', '.join(KNOWN_FIELDS)})"
        )
    if len(set(fields)) != len(fields):
        raise CatalogError(path, code, "a field is listed twice")
    if DURATION not in fields:
        raise CatalogError(path, code, "`fields` must include `duration`")
    if (GROUPS in fields) != (PERSON_TIMES in fields):
        raise CatalogError(path, code, "`groups` and `person_times` go together")
    ordered = tuple(f for f in KNOWN_FIELDS if f in fields)
    raw_form = raw.get("form", [])
    if not isinstance(raw_form, list):
        raise CatalogError(path, code, "`form` must be a list of fields")
    form: list[FormField] = []
    for f_index, raw_field in enumerate(raw_form):
        parsed = _parse_field(path, f"{code}.form[{f_index}]", raw_field)
        if parsed.code in KNOWN_FIELDS:
            raise CatalogError(
                path, f"{code}.{parsed.code}", "a form field may not reuse a base field code"
            )
        if any(f.code == parsed.code for f in form):
            raise CatalogError(path, f"{code}.{parsed.code}", "duplicate field code")
        form.append(parsed)
    photo_required = raw.get("photo_required", False)
    if not isinstance(photo_required, bool):
        raise CatalogError(path, code, "`photo_required` must be true or false")
    return RecordTemplate(code, category, name_zh, name_en, ordered, tuple(form), photo_required)


def _parse_field(path: Path, entry: str, raw: Any) -> FormField:
    if not isinstance(raw, dict):
        raise CatalogError(path, entry, "must be a mapping")
    code = require_code(path, entry, raw.get("code"), max_len=MAX_CODE)
    entry = f"{entry.rsplit('.form', 1)[0]}.{code}"
    reject_unknown_keys(
        path, entry, raw, ("code", "label", "hint", "kind", "required", "options", "min", "max")
    )
    label_zh, label_en = require_bilingual(path, entry, raw, "label")
    hint_zh, hint_en = require_bilingual(path, entry, raw, "hint")
    kind = raw.get("kind")
    if kind not in FIELD_KINDS:
        raise CatalogError(path, entry, f"`kind` {kind!r} is not one of: {', '.join(FIELD_KINDS)}")
    required = raw.get("required")
    if not isinstance(required, bool):
        raise CatalogError(path, entry, "`required` must be true or false")
    options: list[ChoiceOption] = []
    raw_options = raw.get("options")
    if kind == CHOICE:
        if not isinstance(raw_options, list) or len(raw_options) < 2:
            raise CatalogError(path, entry, "a choice needs `options`: at least two {code, zh, en}")
        for o_index, raw_option in enumerate(raw_options):
            where = f"{entry}.options[{o_index}]"
            if not isinstance(raw_option, dict):
                raise CatalogError(path, where, "must be a mapping {code, zh, en}")
            o_code = require_code(path, where, raw_option.get("code"), max_len=MAX_CODE)
            zh, en = require_bilingual(path, where, {"label": raw_option}, "label")
            if any(o.code == o_code for o in options):
                raise CatalogError(path, where, f"duplicate option code {o_code!r}")
            options.append(ChoiceOption(o_code, zh, en))
    elif raw_options is not None:
        raise CatalogError(path, entry, "`options` belong to a choice field only")
    low, high = raw.get("min"), raw.get("max")
    if kind != NUMBER and (low is not None or high is not None):
        raise CatalogError(path, entry, "`min` and `max` belong to a number field only")
    for name, bound in (("min", low), ("max", high)):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float))):
            raise CatalogError(path, entry, f"`{name}` must be a number")
    if low is not None and high is not None and low > high:
        raise CatalogError(path, entry, "`min` is above `max`")
    return FormField(
        code, label_zh, label_en, kind, required, hint_zh, hint_en, tuple(options),
        None if low is None else float(low), None if high is None else float(high),
    )  # fmt: skip
