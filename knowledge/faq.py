"""The FAQ: entries in `faq/*.yaml`, per-station entries generated from `stations.yaml`.

Each entry has a stable `id`, `question` and `answer` in `zh` and `en`, at least three
`variants` per language (formal, colloquial, typo'd or short), `tags`, and optionally
`related` entry ids, an `action` (`{request: <service code>}`: a "request this service"
button), `featured: true` (offered as a topic when someone asks without words) and
`may_stop_form: true` (small talk that, typed in the middle of a form, may mean the person wants
to stop it: "不用了", "算了"; the form then says how) and `staff_answer` (`zh`, `en`: what staff
asking the same are told, where a resident's answer would mislead them: "how do I erase a
resident's data" is not the asker's own /forget) and `small_talk` (`zh`, `en` lists: phrases that,
alone or with filler words, are this entry's small talk: "嗯", "好" for `okay`; added to
`matching.small_talk.phrases` and taken from any other entry listed there, so the entry that
claims a phrase answers it).

Station facts are never written in the FAQ files. A file may hold one `per_station`
template (filled in for every station: `{code} {name} {place} {short} {address} {phone}
{hours}`) and the `lines` used by the placeholders `{stations_phone}`, `{stations_address}`
and `{stations_hours}`, which expand to one line per station. So a deployment that replaces
`stations.yaml` gets correct answers without touching the FAQ.

`load_faq` raises the first `CatalogError`; `check_faq` collects every problem, including
the slower quality check that every variant is closer to its own entry than to any other.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from knowledge.loading import DEFAULT_DIR, CatalogError, read_yaml
from knowledge.matcher import (
    LANGS,
    OUT_OF_SCOPE,
    Concept,
    Document,
    Elsewhere,
    Emergency,
    Matcher,
    MatchResult,
    MatchSettings,
    SmallTalk,
    Synonyms,
    Thresholds,
    Weights,
    fold_width_and_script,
    normalise,
    plain_text,
)
from knowledge.stations import Station, StationCatalog

MIN_VARIANTS = 3
ENTRY_KEYS = {
    "id", "tags", "question", "variants", "answer", "related", "action", "featured", "keywords",
    "intent", "may_stop_form", "staff_answer", "small_talk",
}  # fmt: skip
# Answers about the person's own things: a handler adds their status and a button.
INTENTS = ("own_requests", "own_volunteer_application")
# Not per station: offered as a topic, small talk that may stop a form (one entry each), or
# a staff answer (a station's facts are the same to everyone).
NOT_PER_STATION = {"featured", "may_stop_form", "staff_answer", "small_talk"}
PER_STATION_KEYS = ENTRY_KEYS - NOT_PER_STATION | {"place_from_name", "short_from_place"}
ANSWER_PLACEHOLDERS = {"stations_phone", "stations_address", "stations_hours"}
STATION_PLACEHOLDERS = {"code", "name", "place", "short", "address", "phone", "hours"}
LINE_KINDS = ("phone", "address", "hours")


@dataclass(frozen=True)
class FaqEntry:
    id: str
    file: str
    question_zh: str
    question_en: str
    answer_zh: str
    answer_en: str
    variants_zh: tuple[str, ...]
    variants_en: tuple[str, ...]
    tags: tuple[str, ...]
    related: tuple[str, ...] = ()
    action_service: str | None = None
    featured: bool = False
    station_code: str | None = None  # set on generated per-station entries
    keywords_zh: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()
    intent: str | None = None  # one of INTENTS
    may_stop_form: bool = False  # typed mid-form, it may mean "stop this form" (see above)
    staff_answer_zh: str | None = None  # what staff are told instead (see above)
    staff_answer_en: str | None = None
    small_talk_zh: tuple[str, ...] = ()  # its own small-talk phrases (see above)
    small_talk_en: tuple[str, ...] = ()

    def question(self, lang: str) -> str:
        return self.question_zh if lang == "zh" else self.question_en

    def answer(self, lang: str, *, staff: bool = False) -> str:
        """The answer for a resident, or (`staff`) the staff's where the entry has one."""
        if staff and self.staff_answer_zh is not None and self.staff_answer_en is not None:
            return self.staff_answer_zh if lang == "zh" else self.staff_answer_en
        return self.answer_zh if lang == "zh" else self.answer_en

    def variants(self, lang: str) -> tuple[str, ...]:
        return self.variants_zh if lang == "zh" else self.variants_en

    def keywords(self, lang: str) -> tuple[str, ...]:
        return self.keywords_zh if lang == "zh" else self.keywords_en

    def phrasings(self, lang: str) -> tuple[str, ...]:
        """What the matcher compares against: the question itself and every variant."""
        return (self.question(lang), *self.variants(lang))


@dataclass(frozen=True)
class Faq:
    entries: tuple[FaqEntry, ...]
    matcher: Matcher = field(compare=False, repr=False)
    synonyms: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, repr=False)
    settings: MatchSettings = field(default_factory=MatchSettings, compare=False, repr=False)

    def get(self, entry_id: str) -> FaqEntry | None:
        return self._by_id().get(entry_id)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._by_id()

    def _by_id(self) -> dict[str, FaqEntry]:
        cached: dict[str, FaqEntry] | None = self.__dict__.get("_ids")
        if cached is None:
            cached = {e.id: e for e in self.entries}
            object.__setattr__(self, "_ids", cached)
        return cached

    @property
    def featured(self) -> tuple[FaqEntry, ...]:
        return tuple(e for e in self.entries if e.featured)

    def match(self, text: str, *, lang: str | None = None, limit: int = 3) -> MatchResult:
        return self.matcher.match(text, lang=lang, limit=limit)


@dataclass(frozen=True)
class Problem:
    file: str
    entry: str | None
    problem: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.entry}: {self.problem}"
            if self.entry
            else (f"{self.file}: {self.problem}")
        )


def faq_dir(directory: Path | None) -> Path:
    """A deployment's `faq/` folder replaces the shipped one as a whole."""
    if directory is not None and (directory / "faq").is_dir():
        return directory / "faq"
    return DEFAULT_DIR / "faq"


def load_faq(directory: Path | None, stations: StationCatalog) -> Faq:
    """Raises `CatalogError` naming the file, entry and problem of the first mistake."""
    folder = faq_dir(directory)
    return _load_cached(str(folder), _fingerprint(folder), stations)


def check_faq(directory: Path | None, stations: StationCatalog) -> list[Problem]:
    """Every problem in the FAQ files, for `stationbot kb check`. Empty means good."""
    folder = faq_dir(directory)
    problems: list[Problem] = []
    synonyms: dict[str, dict[str, str]] = {}
    settings: list[MatchSettings] = []
    entries = _parse_folder(folder, stations, problems, synonyms, settings)
    known_services = _service_codes(directory)
    for entry in entries:
        if known_services is not None and entry.action_service is not None:
            if entry.action_service not in known_services:
                problems.append(
                    Problem(
                        entry.file,
                        entry.id,
                        f"action requests unknown service {entry.action_service!r}",
                    )
                )
    if not any(p for p in problems):
        problems.extend(_closer_elsewhere(entries, synonyms, _one(settings)))
    return problems


def _one(settings: list[MatchSettings]) -> MatchSettings:
    return settings[0] if settings else MatchSettings()


# --- loading ----------------------------------------------------------------------------------


def _fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.yaml"))
    )


@lru_cache(maxsize=8)
def _load_cached(
    folder: str, fingerprint: tuple[tuple[str, int, int], ...], stations: StationCatalog
) -> Faq:
    # Cached because building the index preprocesses every variant (traditional → simplified
    # is the slow part) and tests and commands load the same files many times.
    problems: list[Problem] = []
    synonyms: dict[str, dict[str, str]] = {}
    found: list[MatchSettings] = []
    entries = _parse_folder(Path(folder), stations, problems, synonyms, found)
    if problems:
        first = problems[0]
        raise CatalogError(first.file, first.entry, first.problem)
    settings = _one(found)
    return Faq(
        entries=tuple(entries),
        matcher=build_matcher(entries, synonyms, settings=settings),
        synonyms=synonyms,
        settings=settings,
    )


def build_matcher(
    entries: Iterable[FaqEntry],
    synonyms: dict[str, dict[str, str]] | None = None,
    *,
    settings: MatchSettings | None = None,
    **options: Any,
) -> Matcher:
    entries = list(entries)
    settings = settings or MatchSettings()
    options.setdefault("thresholds", settings.thresholds)
    options.setdefault("weights", settings.weights)
    options.setdefault("emergency", settings.emergency)
    options.setdefault("small_talk", settings.small_talk)
    options.setdefault("intents", {e.id: e.intent for e in entries if e.intent})
    options.setdefault("topics", settings.topics)
    options.setdefault("elsewhere", settings.elsewhere)
    documents_out = [
        Document(OUT_OF_SCOPE, lang, text)
        for lang, texts in settings.out_of_scope.items()
        for text in texts
    ]
    documents = [
        Document(entry.id, lang, text)
        for entry in entries
        for lang in LANGS
        for text in entry.phrasings(lang)
    ]
    documents += [
        Document(entry.id, lang, word, keyword=True)
        for entry in entries
        for lang in LANGS
        for word in entry.keywords(lang)
    ]
    return Matcher(documents + documents_out, synonyms=Synonyms(synonyms), **options)


def _parse_folder(
    folder: Path,
    stations: StationCatalog,
    problems: list[Problem],
    synonyms: dict[str, dict[str, str]],
    settings: list[MatchSettings] | None = None,
) -> list[FaqEntry]:
    files = sorted(folder.glob("*.yaml"))
    settings = settings if settings is not None else []
    settings_at: Path | None = None
    if not files:
        problems.append(Problem(str(folder), None, "no FAQ files (*.yaml)"))
        return []
    raw_entries: list[tuple[Path, dict[str, Any]]] = []
    template: tuple[Path, dict[str, Any]] | None = None
    lines: dict[str, tuple[str, str]] | None = None
    more: list[tuple[Path, object]] = []
    for path in files:
        try:
            data = read_yaml(path)
        except CatalogError as error:
            problems.append(Problem(error.path, error.entry, error.problem))
            continue
        if data is None:
            problems.append(Problem(str(path), None, "file is empty"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(str(path), None, "expected a mapping with `entries:`"))
            continue
        unknown = set(data) - {
            "entries",
            "per_station",
            "lines",
            "synonyms",
            "matching",
            "more_variants",
        }
        if unknown:
            problems.append(Problem(str(path), None, f"unknown keys: {', '.join(sorted(unknown))}"))
        items = data.get("entries", [])
        if not isinstance(items, list):
            problems.append(Problem(str(path), None, "`entries` must be a list"))
            items = []
        for index, raw in enumerate(items):
            if not isinstance(raw, dict):
                problems.append(Problem(str(path), f"entries[{index}]", "must be a mapping"))
                continue
            raw_entries.append((path, raw))
        if "more_variants" in data:
            more.append((path, data["more_variants"]))
        if "per_station" in data:
            if template is not None:
                problems.append(
                    Problem(str(path), "per_station", f"already defined in {template[0]}")
                )
            elif not isinstance(data["per_station"], dict):
                problems.append(Problem(str(path), "per_station", "must be a mapping"))
            else:
                template = (path, data["per_station"])
        if "lines" in data:
            parsed = _parse_lines(path, data["lines"], problems)
            if parsed is not None:
                lines = parsed
        if "synonyms" in data:
            if synonyms:
                problems.append(Problem(str(path), "synonyms", "defined in two files"))
            else:
                synonyms.update(_parse_synonyms(path, data["synonyms"], problems))
        if "matching" in data:
            if settings_at is not None:
                problems.append(Problem(str(path), "matching", f"already defined in {settings_at}"))
            else:
                settings_at = path
                parsed_settings = _parse_settings(path, data["matching"], problems)
                if parsed_settings is not None:
                    settings.append(parsed_settings)
    entries: list[FaqEntry] = []
    for path, raw in raw_entries:
        entry = _parse_entry(path, raw, problems, lines=lines, stations=stations)
        if entry is not None:
            entries.append(entry)
    if template is not None:
        entries.extend(_station_entries(template[0], template[1], stations, problems))
    for path, raw_more in more:
        entries = _more_variants(path, raw_more, entries, problems)
    _check_together(entries, problems)
    claimed = _entries_small_talk(entries, settings[0] if settings else MatchSettings())
    if claimed is not None:
        settings[:1] = [claimed]
    if settings_at is not None and settings:
        known = {e.id for e in entries}
        for entry_id in [
            *settings[0].emergency.entries,
            *settings[0].small_talk.phrases,
            *settings[0].topics,
        ]:
            if entry_id not in known:
                problems.append(
                    Problem(str(settings_at), "matching", f"unknown entry {entry_id!r}")
                )
    return entries


def _entries_small_talk(
    entries: Iterable[FaqEntry], settings: MatchSettings
) -> MatchSettings | None:
    """`settings` with the entries' own `small_talk` phrases added, each taken from any other
    entry of `matching.small_talk.phrases` ("嗯" claimed by `okay` is no longer `never_mind`'s);
    None when no entry claims any."""
    claims = {
        entry.id: {"zh": entry.small_talk_zh, "en": entry.small_talk_en}
        for entry in entries
        if entry.small_talk_zh or entry.small_talk_en
    }
    if not claims:
        return None
    taken = {
        lang: {_plain_phrase(p, lang) for by_lang in claims.values() for p in by_lang[lang]}
        for lang in LANGS
    }
    phrases: dict[str, dict[str, tuple[str, ...]]] = {}
    for entry_id, by_lang in settings.small_talk.phrases.items():
        phrases[entry_id] = {
            lang: tuple(p for p in listed if _plain_phrase(p, lang) not in taken.get(lang, ()))
            for lang, listed in by_lang.items()
        }
    for entry_id, by_lang in claims.items():
        known = phrases.setdefault(entry_id, {})
        for lang in LANGS:
            known[lang] = _unique([*known.get(lang, ()), *by_lang[lang]])
    return replace(settings, small_talk=replace(settings.small_talk, phrases=phrases))


def _plain_phrase(text: str, lang: str) -> str:
    """A small-talk phrase as compared for claiming: width, case and spaces folded."""
    return " ".join(fold_width_and_script(text, lang).split())


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _texts_by_lang(raw: object) -> dict[str, tuple[str, ...]] | None:
    if not isinstance(raw, dict) or set(raw) - set(LANGS):
        return None
    found: dict[str, tuple[str, ...]] = {}
    for lang, items in raw.items():
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            return None
        found[str(lang)] = tuple(i.strip() for i in items)
    return found


def _parse_settings(path: Path, raw: object, problems: list[Problem]) -> MatchSettings | None:
    """`matching:` {thresholds: {answer, suggest, margin}, weights: {…}, emergency: {entries,
    cues: {zh, en}}, small_talk: {phrases: {entry: {zh, en}}, filler: {zh, en}}}."""
    where = "matching"
    if not isinstance(raw, dict) or set(raw) - {
        "thresholds",
        "weights",
        "emergency",
        "small_talk",
        "out_of_scope",
        "topics",
        "elsewhere",
    }:
        problems.append(
            Problem(str(path), where, "expected thresholds, weights, emergency, small_talk")
        )
        return None
    before = len(problems)
    numbers: dict[str, dict[str, float]] = {}
    for key, known in (("thresholds", Thresholds), ("weights", Weights)):
        value = raw.get(key, {})
        names = set(known.__dataclass_fields__)
        if (
            not isinstance(value, dict)
            or set(value) - names
            or not all(_number(v) for v in value.values())
        ):
            problems.append(
                Problem(
                    str(path), f"{where}.{key}", f"must map {', '.join(sorted(names))} to numbers"
                )
            )
            continue
        numbers[key] = {str(k): float(v) for k, v in value.items()}
    thresholds = Thresholds(**numbers.get("thresholds", {}))
    if min(thresholds.answer, thresholds.suggest, thresholds.margin, thresholds.relative) < 0:
        problems.append(Problem(str(path), f"{where}.thresholds", "must not be negative"))
    emergency_raw = raw.get("emergency", {})
    entries = emergency_raw.get("entries", []) if isinstance(emergency_raw, dict) else None
    cues = (
        _texts_by_lang(emergency_raw.get("cues", {}) or {})
        if isinstance(emergency_raw, dict)
        else None
    )
    concepts = _concepts(emergency_raw.get("concepts") if isinstance(emergency_raw, dict) else {})
    fire_at = emergency_raw.get("fire_at", 1.0) if isinstance(emergency_raw, dict) else 1.0
    ranked_at = emergency_raw.get("ranked_at", 0.7) if isinstance(emergency_raw, dict) else 0.7
    default = Emergency()
    caution_at, damped_at = (
        (
            emergency_raw.get("caution_at", default.caution_at),
            emergency_raw.get("damped_at", default.damped_at),
        )
        if isinstance(emergency_raw, dict)
        else (default.caution_at, default.damped_at)
    )
    if (
        not isinstance(entries, list)
        or not all(_is_code(e) for e in entries)
        or cues is None
        or concepts is None
        or not all(_number(n) for n in (fire_at, ranked_at, caution_at, damped_at))
    ):
        problems.append(
            Problem(
                str(path),
                f"{where}.emergency",
                "needs `entries` (ids), `concepts` ({name: {weight, zh, en}}), `fire_at` "
                "(a number) and optionally `ranked_at`, `caution_at`, `damped_at` (numbers), "
                "`cues` (zh/en lists)",
            )
        )
        entries, cues, concepts, fire_at, ranked_at = [], {}, {}, 1.0, 0.7
        caution_at, damped_at = default.caution_at, default.damped_at
    talk_raw = raw.get("small_talk", {})
    phrases: dict[str, dict[str, tuple[str, ...]]] = {}
    filler: dict[str, tuple[str, ...]] | None = {}
    if isinstance(talk_raw, dict):
        for entry_id, by_lang in (talk_raw.get("phrases") or {}).items():
            texts = _texts_by_lang(by_lang)
            if not _is_code(entry_id) or texts is None:
                problems.append(
                    Problem(str(path), f"{where}.small_talk", f"bad phrases for {entry_id!r}")
                )
                continue
            phrases[str(entry_id)] = texts
        filler = _texts_by_lang(talk_raw.get("filler", {}))
    if not isinstance(talk_raw, dict) or filler is None:
        problems.append(Problem(str(path), f"{where}.small_talk", "needs `phrases` and `filler`"))
        filler = {}
    out_of_scope = _texts_by_lang(raw.get("out_of_scope", {}))
    if out_of_scope is None:
        problems.append(Problem(str(path), f"{where}.out_of_scope", "must map zh/en to lists"))
    topics: dict[str, dict[str, tuple[str, ...]]] = {}
    topics_raw = raw.get("topics") or {}
    for entry_id, by_lang in topics_raw.items() if isinstance(topics_raw, dict) else ():
        texts = _texts_by_lang(by_lang)
        if not _is_code(entry_id) or texts is None:
            problems.append(Problem(str(path), f"{where}.topics", f"bad words for {entry_id!r}"))
            continue
        topics[str(entry_id)] = texts
    if not isinstance(topics_raw, dict):
        problems.append(Problem(str(path), f"{where}.topics", "must map entry ids to zh/en lists"))
    elsewhere = _elsewhere(raw.get("elsewhere") or {})
    if elsewhere is None:
        problems.append(
            Problem(
                str(path),
                f"{where}.elsewhere",
                "expects places, home, services, links (Chinese lists), apps and ours (zh/en "
                "lists) and about_bot (entry ids)",
            )
        )
    if len(problems) > before:
        return None
    return MatchSettings(
        elsewhere=elsewhere or Elsewhere(),
        topics=topics,
        out_of_scope=out_of_scope or {},
        thresholds=thresholds,
        weights=Weights(**numbers.get("weights", {})),
        emergency=Emergency(
            tuple(str(e) for e in entries),
            cues,
            concepts or {},
            float(fire_at),
            float(ranked_at),
            float(caution_at),
            float(damped_at),
        ),
        small_talk=SmallTalk(phrases, filler),
    )


def _elsewhere(raw: object) -> Elsewhere | None:
    """`matching.elsewhere`: see `Elsewhere`; every key optional."""
    known = {"places", "home", "services", "links", "apps", "about_bot", "ours"}
    if not isinstance(raw, dict) or set(raw) - known:
        return None
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("places", "home", "services", "links", "about_bot"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            return None
        lists[key] = tuple(value)
    apps = _texts_by_lang(raw.get("apps", {}))
    ours = _texts_by_lang(raw.get("ours", {}))
    if apps is None or ours is None:
        return None

    def plain(by_lang: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return {lang: tuple(plain_text(w, lang) for w in words) for lang, words in by_lang.items()}

    return Elsewhere(
        places=tuple(plain_text(w, "zh") for w in lists["places"]),
        home=tuple(plain_text(w, "zh") for w in lists["home"]),
        services=tuple(plain_text(w, "zh") for w in lists["services"]),
        links=tuple(plain_text(w, "zh") for w in lists["links"]),
        apps=plain(apps),
        about_bot=lists["about_bot"],
        ours=plain(ours),
    )


def _concepts(raw: object) -> dict[str, Concept] | None:
    """`concepts:` {name: {weight: number, zh: [words], en: [words]}}; None when malformed."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        return None
    found: dict[str, Concept] = {}
    for name, value in raw.items():
        if not isinstance(value, dict) or not _number(value.get("weight")):
            return None
        words = _texts_by_lang({k: v for k, v in value.items() if k != "weight"})
        if words is None:
            return None
        found[str(name)] = Concept(float(value["weight"]), words)
    return found


def _parse_lines(
    path: Path, raw: object, problems: list[Problem]
) -> dict[str, tuple[str, str]] | None:
    if not isinstance(raw, dict):
        problems.append(Problem(str(path), "lines", "must map phone/address/hours to zh/en"))
        return None
    found: dict[str, tuple[str, str]] = {}
    for kind in LINE_KINDS:
        pair = _bilingual(path, f"lines.{kind}", raw, kind, problems)
        if pair is not None:
            for text in pair:
                _check_placeholders(path, f"lines.{kind}", text, STATION_PLACEHOLDERS, problems)
            found[kind] = pair
    return found if len(found) == len(LINE_KINDS) else None


def _parse_synonyms(path: Path, raw: object, problems: list[Problem]) -> dict[str, dict[str, str]]:
    """{lang: {kept word: [folded words]}} → {lang: {word: kept word}}; kept words map to
    themselves so the longest-first fold never cuts into them ("删" must not touch "删除")."""
    if not isinstance(raw, dict) or set(raw) - set(LANGS):
        problems.append(Problem(str(path), "synonyms", "must map zh/en to groups"))
        return {}
    tables: dict[str, dict[str, str]] = {}
    for lang, groups in raw.items():
        if not isinstance(groups, dict):
            problems.append(Problem(str(path), f"synonyms.{lang}", "must map a word to a list"))
            continue
        table: dict[str, str] = {}
        for kept, words in groups.items():
            where = f"synonyms.{lang}.{kept}"
            if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
                problems.append(Problem(str(path), where, "must be a list of words"))
                continue
            canonical = fold_width_and_script(str(kept), lang)
            for word in [str(kept), *words]:
                folded = fold_width_and_script(word, lang)
                if table.get(folded, canonical) != canonical:
                    problems.append(
                        Problem(str(path), where, f"{word!r} is also in {table[folded]!r}")
                    )
                    continue
                table[folded] = canonical
        tables[lang] = table
    return tables


def _bilingual(
    path: Path, entry: str, raw: dict[str, Any], key: str, problems: list[Problem]
) -> tuple[str, str] | None:
    value = raw.get(key)
    if not isinstance(value, dict):
        problems.append(Problem(str(path), entry, f"`{key}` must have `zh` and `en` texts"))
        return None
    texts = []
    for lang in LANGS:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            problems.append(Problem(str(path), entry, f"missing translation: `{key}.{lang}`"))
            return None
        texts.append(text.strip())
    return texts[0], texts[1]


def _placeholders(text: str) -> set[str] | None:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None


def _check_placeholders(
    path: Path, entry: str, text: str, allowed: set[str], problems: list[Problem]
) -> bool:
    names = _placeholders(text)
    if names is None:
        problems.append(Problem(str(path), entry, f"unbalanced braces in {text[:40]!r}"))
        return False
    unknown = names - allowed
    if unknown:
        problems.append(
            Problem(
                str(path),
                entry,
                f"unknown placeholder {{{sorted(unknown)[0]}}} (allowed: "
                + ", ".join("{" + a + "}" for a in sorted(allowed))
                + ")",
            )
        )
        return False
    return True


def _is_code(value: object) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= 32
        and all(c.isascii() and (c.isalnum() or c == "_") for c in value)
    )


def _variants(
    path: Path, entry: str, raw: dict[str, Any], problems: list[Problem]
) -> dict[str, tuple[str, ...]] | None:
    value = raw.get("variants")
    if not isinstance(value, dict):
        problems.append(Problem(str(path), entry, "`variants` must have `zh` and `en` lists"))
        return None
    found: dict[str, tuple[str, ...]] = {}
    for lang in LANGS:
        items = value.get(lang)
        if items is None:
            problems.append(Problem(str(path), entry, f"missing translation: `variants.{lang}`"))
            continue
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            problems.append(Problem(str(path), entry, f"`variants.{lang}` must be a list of texts"))
            continue
        if len(items) < MIN_VARIANTS:
            problems.append(
                Problem(
                    str(path),
                    entry,
                    f"`variants.{lang}` has {len(items)}; at least {MIN_VARIANTS} are needed "
                    "(formal, colloquial, short or typo'd)",
                )
            )
        found[lang] = tuple(i.strip() for i in items)
    extra = set(value) - set(LANGS)
    if extra:
        problems.append(
            Problem(str(path), entry, f"`variants` has unknown languages: {sorted(extra)}")
        )
    return found if len(found) == len(LANGS) else None


def _more_variants(
    path: Path, raw: object, entries: list[FaqEntry], problems: list[Problem]
) -> list[FaqEntry]:
    """`more_variants: {entry id: {zh: [...], en: [...]}}`: phrasings kept apart from the
    entries (questions people asked, labelled), added to the entries' own."""
    if not isinstance(raw, dict):
        problems.append(Problem(str(path), "more_variants", "must map entry ids to variants"))
        return entries
    by_id = {e.id: i for i, e in enumerate(entries)}
    out = list(entries)
    for entry_id, value in raw.items():
        where = f"more_variants.{entry_id}"
        if entry_id not in by_id:
            problems.append(Problem(str(path), where, f"unknown entry {entry_id!r}"))
            continue
        texts = _texts_by_lang(value)
        if texts is None:
            problems.append(Problem(str(path), where, "must map zh/en to lists of texts"))
            continue
        at = by_id[entry_id]
        entry = out[at]
        out[at] = replace(
            entry,
            variants_zh=_unique([*entry.variants_zh, *texts.get("zh", ())]),
            variants_en=_unique([*entry.variants_en, *texts.get("en", ())]),
        )
    return out


def _parse_entry(
    path: Path,
    raw: dict[str, Any],
    problems: list[Problem],
    *,
    lines: dict[str, tuple[str, str]] | None,
    stations: StationCatalog,
) -> FaqEntry | None:
    entry_id = raw.get("id")
    if not _is_code(entry_id):
        problems.append(Problem(str(path), repr(entry_id), "`id` must be 1–32 of [A-Za-z0-9_]"))
        return None
    assert isinstance(entry_id, str)
    before = len(problems)
    unknown = set(raw) - ENTRY_KEYS
    if unknown:
        problems.append(Problem(str(path), entry_id, f"unknown keys: {', '.join(sorted(unknown))}"))
    question = _bilingual(path, entry_id, raw, "question", problems)
    answer = _bilingual(path, entry_id, raw, "answer", problems)
    staff_answer = (
        _bilingual(path, entry_id, raw, "staff_answer", problems) if "staff_answer" in raw else None
    )
    variants = _variants(path, entry_id, raw, problems)
    tags = raw.get("tags")
    if not isinstance(tags, list) or not tags or not all(_is_code(t) for t in tags):
        problems.append(Problem(str(path), entry_id, "`tags` must be a list of codes"))
    related = raw.get("related", [])
    if not isinstance(related, list) or not all(_is_code(r) for r in related):
        problems.append(Problem(str(path), entry_id, "`related` must be a list of entry ids"))
        related = []
    action = _action(path, entry_id, raw.get("action"), problems)
    featured = raw.get("featured", False)
    may_stop_form = raw.get("may_stop_form", False)
    for key, flag in (("featured", featured), ("may_stop_form", may_stop_form)):
        if not isinstance(flag, bool):
            problems.append(Problem(str(path), entry_id, f"`{key}` must be true or false"))
    keywords = _keywords(path, entry_id, raw.get("keywords", {}), problems)
    small_talk = _texts_by_lang(raw.get("small_talk", {}))
    if small_talk is None:
        problems.append(Problem(str(path), entry_id, "`small_talk` must map zh/en to lists"))
        small_talk = {}
    intent = raw.get("intent")
    if intent is not None and intent not in INTENTS:
        problems.append(
            Problem(str(path), entry_id, f"`intent` must be one of {', '.join(INTENTS)}")
        )
    answer = _expanded(path, entry_id, answer, lines, stations, problems)
    staff_answer = _expanded(path, entry_id, staff_answer, lines, stations, problems)
    if len(problems) > before or question is None or answer is None or variants is None:
        return None
    for lang, text in zip(LANGS, question, strict=True):
        if _placeholders(text):
            problems.append(
                Problem(str(path), entry_id, f"`question.{lang}` cannot use placeholders")
            )
            return None
    return FaqEntry(
        id=entry_id,
        file=str(path),
        question_zh=question[0],
        question_en=question[1],
        answer_zh=answer[0],
        answer_en=answer[1],
        variants_zh=variants["zh"],
        variants_en=variants["en"],
        tags=tuple(str(t) for t in tags),  # type: ignore[union-attr]  # a list, checked above
        related=tuple(str(r) for r in related),
        action_service=action,
        featured=bool(featured),
        keywords_zh=keywords.get("zh", ()),
        keywords_en=keywords.get("en", ()),
        intent=str(intent) if intent is not None else None,
        may_stop_form=bool(may_stop_form),
        staff_answer_zh=staff_answer[0] if staff_answer else None,
        staff_answer_en=staff_answer[1] if staff_answer else None,
        small_talk_zh=small_talk.get("zh", ()),
        small_talk_en=small_talk.get("en", ()),
    )


def _expanded(
    path: Path,
    entry_id: str,
    answer: tuple[str, str] | None,
    lines: dict[str, tuple[str, str]] | None,
    stations: StationCatalog,
    problems: list[Problem],
) -> tuple[str, str] | None:
    """An answer's `{stations_…}` placeholders filled in (a problem for any other)."""
    if answer is None:
        return None
    expanded = []
    for lang, text in zip(LANGS, answer, strict=True):
        if _check_placeholders(path, entry_id, text, ANSWER_PLACEHOLDERS, problems):
            expanded.append(_expand_lists(text, lang, lines, stations, path, entry_id, problems))
    return (expanded[0], expanded[1]) if len(expanded) == 2 else answer


def _keywords(
    path: Path, entry_id: str, raw: object, problems: list[Problem]
) -> dict[str, tuple[str, ...]]:
    if (
        not isinstance(raw, dict)
        or set(raw) - set(LANGS)
        or not all(
            isinstance(v, list) and all(isinstance(w, str) and w.strip() for w in v)
            for v in raw.values()
        )
    ):
        problems.append(Problem(str(path), entry_id, "`keywords` must map zh/en to lists of words"))
        return {}
    return {lang: tuple(w.strip() for w in words) for lang, words in raw.items()}


def _action(path: Path, entry_id: str, raw: object, problems: list[Problem]) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) != {"request"} or not _is_code(raw["request"]):
        problems.append(
            Problem(str(path), entry_id, "`action` must be `{request: <service code>}`")
        )
        return None
    return str(raw["request"])


def _expand_lists(
    text: str,
    lang: str,
    lines: dict[str, tuple[str, str]] | None,
    stations: StationCatalog,
    path: Path,
    entry_id: str,
    problems: list[Problem],
) -> str:
    names = _placeholders(text) or set()
    if not names:
        return text
    if lines is None:
        problems.append(
            Problem(str(path), entry_id, "uses a station list but no file defines `lines`")
        )
        return text
    values = {}
    for kind in LINE_KINDS:
        template = lines[kind][0 if lang == "zh" else 1]
        values[f"stations_{kind}"] = "\n".join(
            template.format(**_station_values(s, lang, {})) for s in stations.stations
        )
    return text.format(**values)


def _station_values(station: Station, lang: str, cut: dict[str, Any]) -> dict[str, str]:
    name = station.name(lang)
    place = _cut_suffix(name, cut.get("place_from_name", {}).get(lang, []))
    short = _cut_suffix(place, cut.get("short_from_place", {}).get(lang, []))
    return {
        "code": station.code,
        "name": name,
        "place": place,
        "short": short,
        "address": station.address(lang),
        "phone": station.phone,
        "hours": station.hours(lang),
    }


def _cut_suffix(text: str, suffixes: Iterable[str]) -> str:
    for suffix in suffixes:
        if suffix and text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)].strip()
    return text


def _station_entries(
    path: Path, raw: dict[str, Any], stations: StationCatalog, problems: list[Problem]
) -> list[FaqEntry]:
    where = "per_station"
    before = len(problems)
    unknown = set(raw) - PER_STATION_KEYS
    if unknown:
        problems.append(Problem(str(path), where, f"unknown keys: {', '.join(sorted(unknown))}"))
    id_template = raw.get("id")
    if not isinstance(id_template, str) or "{code}" not in id_template:
        problems.append(Problem(str(path), where, "`id` must be a template with {code}"))
    question = _bilingual(path, where, raw, "question", problems)
    answer = _bilingual(path, where, raw, "answer", problems)
    variants = _variants(path, where, raw, problems)
    cut: dict[str, Any] = {}
    for key in ("place_from_name", "short_from_place"):
        value = raw.get(key, {})
        if not isinstance(value, dict) or not all(
            isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value.values()
        ):
            problems.append(Problem(str(path), where, f"`{key}` must map zh/en to lists"))
        else:
            cut[key] = value
    texts = [*(question or ()), *(answer or ())]
    for group in (variants or {}).values():
        texts.extend(group)
    for text in texts:
        _check_placeholders(path, where, text, STATION_PLACEHOLDERS, problems)
    tags = raw.get("tags", [])
    related = raw.get("related", [])
    action = _action(path, where, raw.get("action"), problems)
    if not isinstance(tags, list) or not tags or not all(_is_code(t) for t in tags):
        problems.append(Problem(str(path), where, "`tags` must be a list of codes"))
    if not isinstance(related, list) or not all(_is_code(r) for r in related):
        problems.append(Problem(str(path), where, "`related` must be a list of entry ids"))
    if len(problems) > before or question is None or answer is None or variants is None:
        return []
    assert isinstance(id_template, str)
    made = []
    for station in stations.stations:
        zh = _station_values(station, "zh", cut)
        en = _station_values(station, "en", cut)
        entry_id = id_template.format(**zh)
        if not _is_code(entry_id):
            problems.append(
                Problem(str(path), entry_id, "generated id must be 1–32 of [A-Za-z0-9_]")
            )
            continue
        made.append(
            FaqEntry(
                id=entry_id,
                file=str(path),
                question_zh=question[0].format(**zh),
                question_en=question[1].format(**en),
                answer_zh=answer[0].format(**zh),
                answer_en=answer[1].format(**en),
                variants_zh=_unique(v.format(**zh) for v in variants["zh"]),
                variants_en=_unique(v.format(**en) for v in variants["en"]),
                tags=tuple(tags),
                related=tuple(related),
                action_service=action,
                station_code=station.code,
                # A question naming the station (its place or short name) is about it.
                keywords_zh=_unique(w for w in (zh["place"], zh["short"]) if w),
                keywords_en=_unique(w for w in (en["place"], en["short"]) if w),
            )
        )
    return made


def _unique(texts: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(texts))


def _check_together(entries: list[FaqEntry], problems: list[Problem]) -> None:
    """Problems only visible across entries: duplicate ids, dangling related ids, and the same
    phrasing given to two entries (the matcher could never tell them apart)."""
    seen: dict[str, FaqEntry] = {}
    for entry in entries:
        if entry.id in seen:
            problems.append(
                Problem(entry.file, entry.id, f"duplicate id (also in {seen[entry.id].file})")
            )
        else:
            seen[entry.id] = entry
    for entry in entries:
        for other in entry.related:
            if other == entry.id:
                problems.append(Problem(entry.file, entry.id, "lists itself as related"))
            elif other not in seen:
                problems.append(Problem(entry.file, entry.id, f"related id {other!r} is unknown"))
    owner: dict[tuple[str, str], str] = {}
    for entry in entries:
        for lang in LANGS:
            for text in entry.phrasings(lang):
                key = (lang, normalise(text, lang))
                first = owner.setdefault(key, entry.id)
                if first != entry.id:
                    problems.append(
                        Problem(
                            entry.file,
                            entry.id,
                            f"variant {text!r} is the same question as one of {first!r}",
                        )
                    )


# As shares of the most a score can reach (100 × the three signals' weights). Fixed, not the
# answer threshold: that one is tuned low for long questions (where the lead over the
# runner-up decides), and a left-out variant of a short entry would always trip it.
CLOSER_LINE, CLOSER_MARGIN = 0.82, 0.10


def _closer_elsewhere(
    entries: list[FaqEntry], synonyms: dict[str, dict[str, str]], settings: MatchSettings
) -> list[Problem]:
    """Leave each variant out in turn and ask it: a variant is "closer to another entry" when
    that entry would then score `CLOSER_LINE` or more (a confident match on any thresholds)
    and beats the
    variant's own entry by `CLOSER_MARGIN` points or more. Such a variant either sits in the
    wrong entry or makes two entries impossible to tell apart."""
    matcher = build_matcher(entries, synonyms, settings=settings)
    w = matcher.weights
    most = 100.0 * (w.variant + w.fuzzy + w.entry)
    line, margin = CLOSER_LINE * most, CLOSER_MARGIN * most
    problems = []
    for lang in LANGS:
        position = 0
        for entry in entries:
            for text in entry.phrasings(lang):
                _, ranked = matcher.rank(text, lang=lang, limit=len(entries), exclude=position)
                position += 1
                if not ranked or ranked[0].entry_id == entry.id or ranked[0].score < line:
                    continue
                own = next((s.score for s in ranked if s.entry_id == entry.id), 0.0)
                if ranked[0].score - own >= margin:
                    problems.append(
                        Problem(
                            entry.file,
                            entry.id,
                            f"{lang} variant {text!r} is closer to {ranked[0].entry_id!r} "
                            f"({ranked[0].score:.0f} vs {own:.0f} for its own entry)",
                        )
                    )
    return problems


def _service_codes(directory: Path | None) -> set[str] | None:
    """The service catalogue's codes, when there is one, to check `action.request` against."""
    for base in ([directory] if directory is not None else []) + [DEFAULT_DIR]:
        path = base / "services.yaml"
        if path.exists():
            try:
                data = read_yaml(path)
            except CatalogError:
                return None
            items = data.get("services") if isinstance(data, dict) else data
            if not isinstance(items, list):
                return None
            return {str(i["code"]) for i in items if isinstance(i, dict) and "code" in i}
    return None
