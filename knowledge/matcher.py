"""Matching a person's question to FAQ entries: rapidfuzz plus IDF-weighted overlap.

The same normaliser runs on every phrasing once, at load time, and on every query:
full-width → half-width (NFKC), lower case, traditional → simplified (OpenCC `t2s`), ages and
amounts folded, filler words and sentence-final particles removed, punctuation and spaces
dropped; then the deployment's synonyms are folded (`Synonyms`).

A query is scored against every phrasing of its script (Chinese or Latin) with three signals
(`Weights`):

* **variant overlap**: the shared characters and character pairs (Chinese) or word stems and
  letter trigrams (English), each weighted by how rare it is across entries (IDF), as a Dice
  coefficient with the best single phrasing. Rare, telling words ("托管", "残疾证") count a lot
  and everyday ones ("怎么", "社工站") little; words no entry knows weigh most, which is what
  keeps "明天天气怎么样" from looking like anything we know;
* **entry coverage**: the share of the query's weight found anywhere in the entry's phrasings
  together (a paraphrase often borrows words from two of them);
* **fuzzy**: rapidfuzz's `ratio` on the normalised strings, which forgives typos and order.

Entries with keywords (a station's names) gain points when one is named and lose them when none
is. `bench/knowledge.py` compares this with plain `WRatio` on a labelled set.

Three outcomes by score: answer directly, suggest up to three entries, or hand the question
to a social worker (see `Thresholds`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from opencc import OpenCC
from rapidfuzz import fuzz, process

ANSWER, SUGGEST, HANDOFF = "answer", "suggest", "handoff"
LANGS = ("zh", "en")

# Said around a question without changing it. Longest first so "我想问一下" goes whole.
ZH_FILLERS = sorted(
    [
        "请问一下", "请问", "请教一下", "请教", "我想问一下", "我想问问", "我想问", "想问一下",
        "想问问", "想问", "问一下", "问问", "我想知道", "想知道", "麻烦你", "麻烦您", "麻烦",
        "你好", "您好", "在吗", "打扰一下", "打扰了", "一下子", "一下", "那个", "就是说",
        "谢谢你", "谢谢您", "谢谢", "劳驾", "请你", "请您", "告诉我", "我请问",
    ],
    key=len,
    reverse=True,
)  # fmt: skip
# Particles dropped only where a clause ends ("干嘛" keeps its 嘛).
ZH_FINAL_PARTICLES = re.compile(r"[吗吧呢啊呀哦嘛啦哈呐哇么嘞咧]+(?=[\s,.!?;:，。！？；：…~、]|$)")
EN_FILLERS = (
    "could you please", "can you please", "can you tell me", "could you tell me",
    "i would like to know", "i want to know", "i'd like to know", "i want to ask",
    "i'd like to ask", "please tell me", "tell me", "excuse me", "please", "hello", "hi", "hey",
    "thanks", "thank you",
)  # fmt: skip
EN_STOPWORDS = frozenset(
    "a an the is are am was be do does did i me my we our you your it its of to for in on at "
    "and or can could would should will there this that what's whats from with get got about "
    "any some just also really".split()
)
# Ages and amounts are asked about in general: "四岁的孩子" and "五岁的孩子" are one question.
_ZH_NUMBER = re.compile(r"[0-9.零一二三四五六七八九十百两几多]+(?=岁|个?小时|天|年)")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_WORD = re.compile(r"[^\w]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s() -> Any:
    return OpenCC("t2s")


def script_of(text: str) -> str:
    """'zh' when the text has any Chinese character, else 'en'."""
    return "zh" if _CJK.search(text) else "en"


def to_simplified(text: str) -> str:
    return str(_t2s().convert(text))


def fold_width_and_script(text: str, lang: str) -> str:
    """Full-width → half-width, lower case, and (Chinese) traditional → simplified."""
    text = unicodedata.normalize("NFKC", text).lower()
    return to_simplified(text) if lang == "zh" else text


def _strip_fillers(text: str, fillers: Sequence[str]) -> str:
    for filler in fillers:
        text = text.replace(filler, " ")
    return text


@lru_cache(maxsize=8192)
def normalise(text: str, lang: str | None = None) -> str:
    """The canonical form a question is compared in.

    Chinese loses every space and punctuation mark; English keeps single spaces between
    words. A question that is nothing but filler ("你好", "thanks") keeps its words, so the
    greeting entries can still match it.
    """
    lang = lang or script_of(text)
    text = unicodedata.normalize("NFKC", text).lower()
    if lang == "zh":
        text = _ZH_NUMBER.sub("几", to_simplified(text))
        stripped = ZH_FINAL_PARTICLES.sub(" ", text)
        stripped = _strip_fillers(stripped, ZH_FILLERS)
        core = _NOT_WORD.sub("", stripped).replace("_", "")
        return core or _NOT_WORD.sub("", text).replace("_", "")
    plain = _SPACES.sub(" ", _NOT_WORD.sub(" ", text.replace("'", ""))).strip()
    padded = f" {plain} "
    for filler in EN_FILLERS:
        padded = padded.replace(f" {filler.replace(chr(39), '')} ", " ")
    words = [w for w in padded.split() if w not in EN_STOPWORDS]
    return " ".join(words) or plain


def _stem(word: str) -> str:
    """Just enough English stemming that "volunteers" meets "volunteer"."""
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def features(normalised: str, lang: str) -> set[str]:
    """What the overlap signal compares: Chinese characters and pairs of neighbouring
    characters; English word stems and letter trigrams (trigrams survive a typo)."""
    found: set[str] = set()
    if lang == "zh":
        found.update(normalised)
        found.update(normalised[i : i + 2] for i in range(len(normalised) - 1))
        return found
    for word in normalised.split():
        stem = _stem(word)
        found.add("w:" + stem)
        padded = f"<{stem}>"
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


@dataclass(frozen=True)
class Thresholds:
    """`answer`: at or above, answer directly; `suggest`: at or above, offer choices;
    below `suggest`, hand the question to a person. `margin`: a best score within this
    of the runner-up (another entry) is offered as a choice, not answered."""

    answer: float = 82.0
    suggest: float = 36.0
    margin: float = 8.0


@dataclass(frozen=True)
class Weights:
    """How the signals combine (chosen on the development half of the evaluation set).

    `variant`: IDF-weighted Dice with the best single phrasing; `fuzzy`: rapidfuzz `ratio`
    with that phrasing; `entry`: the share of the query's IDF mass found anywhere in the
    entry's phrasings together (a paraphrase often borrows words from two variants);
    `unseen`: the weight of a word no entry uses, as a fraction of the rarest seen word's
    (words we have never seen are what out-of-scope questions are made of, but typos too);
    `keyword`: points added when one of the entry's keywords is in the question, and taken
    away from an entry with keywords when none is."""

    variant: float = 0.2
    fuzzy: float = 0.3
    entry: float = 0.5
    unseen: float = 1.0
    keyword: float = 15.0


@dataclass(frozen=True)
class Scored:
    entry_id: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    outcome: str
    lang: str
    normalised: str
    ranked: tuple[Scored, ...]

    @property
    def best(self) -> Scored | None:
        return self.ranked[0] if self.ranked else None


@dataclass(frozen=True)
class Document:
    """One phrasing of one entry in one language. A `keyword` document is not a phrasing:
    an entry gets `Weights.keyword` points when its keyword appears in the question (a
    station's name, say: "我住古山镇应该去哪个站" is about Gushan's station)."""

    entry_id: str
    lang: str
    text: str
    keyword: bool = False


class Synonyms:
    """Words folded into one before matching: {lang: {word: kept word}}."""

    def __init__(self, groups: dict[str, dict[str, str]] | None = None) -> None:
        self.patterns: dict[str, tuple[re.Pattern[str], dict[str, str]]] = {}
        for lang, table in (groups or {}).items():
            if not table:
                continue
            words = sorted(table, key=len, reverse=True)
            alternation = "|".join(re.escape(w) for w in words)
            if lang == "en":
                alternation = rf"(?<![\w])(?:{alternation})(?![\w])"
            self.patterns[lang] = (re.compile(alternation), table)

    def fold(self, text: str, lang: str) -> str:
        found = self.patterns.get(lang)
        if found is None:
            return text
        pattern, table = found
        return pattern.sub(lambda m: table[m.group(0)], text)


class _Index:
    """The variants of one language, preprocessed once."""

    def __init__(self, lang: str, docs: Sequence[Document], synonyms: Synonyms) -> None:
        self.lang = lang
        self.entry_ids = [d.entry_id for d in docs]
        self.texts = [synonyms.fold(normalise(d.text, lang), lang) for d in docs]
        self.entry_names = sorted(set(self.entry_ids))
        entry_pos = {name: i for i, name in enumerate(self.entry_names)}
        self.entry_pos = entry_pos
        self.entry_of = np.array([entry_pos[e] for e in self.entry_ids], dtype=np.int64)
        feats = [features(t, lang) for t in self.texts]
        self.features_of = feats
        entries_with: dict[str, set[int]] = {}
        for entry, fs in zip(self.entry_of.tolist(), feats, strict=True):
            for f in fs:
                entries_with.setdefault(f, set()).add(entry)
        n = max(1, len(self.entry_names))
        # IDF over entries, not variants: a word every variant of one entry repeats is still
        # that entry's word.
        self.idf = {f: math.log((n + 1) / (len(es) + 0.5)) for f, es in entries_with.items()}
        self.max_idf = math.log((n + 1) / 0.5)
        postings: dict[str, list[int]] = {}
        mass = np.zeros(len(docs), dtype=np.float64)
        for i, fs in enumerate(feats):
            for f in fs:
                postings.setdefault(f, []).append(i)
                mass[i] += self.idf[f]
        self.postings = {f: np.array(ix, dtype=np.int64) for f, ix in postings.items()}
        self.mass = mass
        self.entry_postings = {
            f: np.array(sorted(es), dtype=np.int64) for f, es in entries_with.items()
        }

    def __len__(self) -> int:
        return len(self.texts)


class Matcher:
    """Built once from every variant; `match` is then a pure, fast function of the text."""

    def __init__(
        self,
        documents: Iterable[Document],
        *,
        thresholds: Thresholds | None = None,
        weights: Weights | None = None,
        synonyms: Synonyms | None = None,
        candidates: int = 200,
    ) -> None:
        self.synonyms = synonyms or Synonyms()
        by_lang: dict[str, list[Document]] = {lang: [] for lang in LANGS}
        self.keywords: dict[str, list[tuple[str, str]]] = {lang: [] for lang in LANGS}
        for doc in documents:
            if doc.keyword:
                word = self.synonyms.fold(normalise(doc.text, doc.lang), doc.lang)
                if word:
                    self.keywords.setdefault(doc.lang, []).append((word, doc.entry_id))
            else:
                by_lang.setdefault(doc.lang, []).append(doc)
        self.indexes = {lang: _Index(lang, docs, self.synonyms) for lang, docs in by_lang.items()}
        self.thresholds = thresholds or Thresholds()
        self.weights = weights or Weights()
        self.candidates = candidates

    def variant_count(self, lang: str) -> int:
        return len(self.indexes[lang])

    def rank(
        self,
        text: str,
        *,
        lang: str | None = None,
        limit: int = 3,
        exclude: int | None = None,
    ) -> tuple[str, list[Scored]]:
        """(normalised query, the best `limit` entries). `lang` picks the variants compared
        (default: the query's script). `exclude` leaves out one variant (by its position in
        that language's list), for `kb check`'s leave-one-out test."""
        lang = lang or script_of(text)
        index = self.indexes.get(lang)
        query = self.synonyms.fold(normalise(text, lang), lang)
        if index is None or not len(index) or not query:
            return query, []
        w = self.weights
        q_feats = features(query, lang)
        overlap = np.zeros(len(index), dtype=np.float64)
        covered = np.zeros(len(index.entry_names), dtype=np.float64)
        q_mass = 0.0
        for f in q_feats:
            weight = index.idf.get(f, w.unseen * index.max_idf)
            q_mass += weight
            hits = index.postings.get(f)
            if hits is not None:
                overlap[hits] += weight
                covered[index.entry_postings[f]] += weight
        dice = 2.0 * overlap / (q_mass + index.mass)
        coverage = covered / q_mass if q_mass else covered
        if exclude is not None:
            # Leave the variant out entirely: its entry is covered only by its other phrasings.
            dice[exclude] = -1.0
            own = int(index.entry_of[exclude])
            rest: set[str] = set()
            for i in np.nonzero(index.entry_of == own)[0].tolist():
                if i != exclude:
                    rest |= index.features_of[i]
            own_mass = sum(index.idf[f] for f in q_feats if f in rest)
            coverage[own] = own_mass / q_mass if q_mass else 0.0
        # Fuzzy scores only for the variants the overlap already likes: cheap at any size.
        k = min(self.candidates, len(index))
        top = np.argpartition(-dice, k - 1)[:k] if k < len(index) else np.arange(len(index))
        top = top[dice[top] >= 0]
        if not len(top):
            return query, []
        fuzzy = process.cdist(
            [query], [index.texts[i] for i in top], scorer=fuzz.ratio, processor=None, workers=1
        )[0]
        entries = index.entry_of[top]
        combined = (
            w.variant * 100.0 * dice[top] + w.fuzzy * fuzzy + w.entry * 100.0 * coverage[entries]
        )
        best = np.full(len(index.entry_names), -1.0)
        np.maximum.at(best, entries, combined)
        # An entry with keywords is about the thing they name: up when it is named, down when
        # it is not ("社工站电话多少" is not about Xicheng's station).
        named: dict[str, bool] = {}
        for word, entry_id in self.keywords.get(lang, ()):
            named[entry_id] = named.get(entry_id, False) or _mentions(query, word, lang)
        for entry_id, mentioned in named.items():
            position = index.entry_pos.get(entry_id)
            if position is not None and best[position] >= 0:
                best[position] = max(0.0, best[position] + (w.keyword if mentioned else -w.keyword))
        count = min(limit, int((best >= 0).sum()))
        order = np.argsort(-best, kind="stable")[:count]
        return query, [Scored(index.entry_names[e], round(float(best[e]), 1)) for e in order]

    def match(self, text: str, *, lang: str | None = None, limit: int = 3) -> MatchResult:
        lang = lang or script_of(text)
        query, ranked = self.rank(text, lang=lang, limit=limit)
        return MatchResult(self.outcome(ranked), lang, query, tuple(ranked))

    def outcome(self, ranked: Sequence[Scored]) -> str:
        return decide(ranked, self.thresholds)


def _mentions(query: str, word: str, lang: str) -> bool:
    return word in query if lang == "zh" else f" {word} " in f" {query} "


def decide(ranked: Sequence[Scored], t: Thresholds) -> str:
    """Answer, suggest or hand off, from the ranked entries (best first)."""
    if not ranked or ranked[0].score < t.suggest:
        return HANDOFF
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if ranked[0].score >= t.answer and ranked[0].score - runner_up >= t.margin:
        return ANSWER
    return SUGGEST
