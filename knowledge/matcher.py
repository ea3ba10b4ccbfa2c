"""Matching a person's question to FAQ entries: rapidfuzz plus IDF-weighted overlap.

The same normaliser runs on every phrasing once, at load time, and on every query:
full-width → half-width (NFKC), lower case, traditional → simplified (OpenCC `t2s`), ages and
amounts folded, filler words and sentence-final particles removed, punctuation and spaces
dropped; then the deployment's synonyms are folded (`Synonyms`).

A query is scored against every phrasing of its script (Chinese or Latin) with three signals
(`Weights`):

* **variant overlap**: the shared characters, character pairs and the toneless pinyin of those
  pairs (Chinese: "报明" still shares `p:bao ming` with "报名") or word stems and letter
  trigrams (English), each weighted by how rare it is across entries (IDF), as a Dice
  coefficient with the best single phrasing. Rare, telling words ("托管", "残疾证") count a lot
  and everyday ones ("怎么", "社工站") little; words no entry knows weigh most, which is what
  keeps "明天天气怎么样" from looking like anything we know;
* **entry coverage**: the share of the query's weight found anywhere in the entry's phrasings
  together (a paraphrase often borrows words from two of them);
* **fuzzy**: rapidfuzz's `ratio` on the normalised strings, which forgives typos and order.

Entries with keywords (a station's names) gain points when one is named and lose them when none
is. `bench/knowledge.py` compares this with plain `WRatio` on a labelled set.

Entries also gain points for their topic words (`MatchSettings.topics`, `Weights.topic`),
found by characters or pinyin; synonyms fold homophone-typed words too ("交前" → 交钱).

Three outcomes: answer directly, suggest up to three entries, or hand the question to a social
worker. Rules come first (`MatchSettings`, from `faq/matching.yaml`): an emergency description
(a weighted lexicon of concepts, `Emergency`: a situation, not a phrase) is answered with the
emergency numbers, small talk is answered, a question most like the
out-of-scope phrasings is handed off; then the thresholds decide on the best score and its
lead over the runner-up (`Thresholds`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from typing import Any

import numpy as np
from opencc import OpenCC
from rapidfuzz import fuzz, process

ANSWER, SUGGEST, HANDOFF = "answer", "suggest", "handoff"
EMERGENCY, SMALL_TALK, OUT_OF_SCOPE_RULE = "emergency", "small_talk", "out_of_scope"
NO_WORDS = "no_words"  # the rule for text without a letter or a character: see `has_words`
# How much a message sounds like an emergency (`MatchResult.level`): not at all; enough for the
# numbers on top of the usual reply; the full alarm (the numbers, nothing else).
NONE, CAUTION, ALARM = "none", "caution", "alarm"
LANGS = ("zh", "en")

# Said around a question without changing it. Longest first so "我想问一下" goes whole.
ZH_FILLERS = sorted(
    [
        "请问一下", "请问", "请教一下", "请教", "我想问一下", "我想问问", "我想问", "想问一下",
        "想问问", "想问", "问一下", "问问", "我想知道", "想知道", "麻烦你", "麻烦您", "麻烦",
        "你好", "您好", "在吗", "打扰一下", "打扰了", "一下子", "一下", "那个", "就是说",
        "谢谢你", "谢谢您", "谢谢", "劳驾", "请你", "请您", "告诉我", "我请问",
        # colloquial padding that names nothing: who is speaking, hesitation, hedges
        "我家里", "我们家", "我家", "我们这里", "我们这边", "我这边", "那个", "这个", "就是",
        "然后", "反正", "其实", "到底", "一般", "大概", "可能", "的话",
        "怎么说呢", "这样子", "的", "啊",
    ],
    key=len,
    reverse=True,
)  # fmt: skip
# Particles dropped only where a clause ends ("干嘛" keeps its 嘛; 伐 is the Wu dialect's 吗).
ZH_FINAL_PARTICLES = re.compile(
    r"[吗吧呢啊呀哦嘛啦哈呐哇么嘞咧伐]+(?=[\s,.!?;:，。！？；：…~、]|$)"
)
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


@cache
def reading(char: str) -> str:
    """A Chinese character's toneless pinyin ("报" → "bao"), the key pinyin input types: so
    "报明" and "报名" read alike. Other characters read as themselves."""
    if not _CJK.match(char):
        return char
    from pypinyin import Style, lazy_pinyin

    found = lazy_pinyin(char, style=Style.NORMAL, errors="default")
    return found[0] if found else char


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    """jieba, loaded once on first use (its dictionary costs about a second of CPU)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def words_of(normalised: str) -> list[str]:
    """jieba's words of a normalised Chinese text (no HMM guessing of unknown words: a typo
    must not invent a word)."""
    return [str(w) for w in _segmenter().lcut(normalised, HMM=False)]


def has_words(text: str) -> bool:
    """Any letter or Chinese character at all. "1", "123", "？？", "😀" name nothing: a number
    typed for the first option, or a key pressed by mistake, never a question about something
    ("1" ranked a staff entry about person-times first, "123" the children's hotline)."""
    return any(ch.isalpha() for ch in text)


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


def features(normalised: str, lang: str, *, words: bool = False) -> set[str]:
    """What the overlap signal compares: Chinese characters, pairs of neighbouring
    characters and the pinyin of those pairs ("p:bao ming": a homophone typo still shares
    it), plus (`words`) jieba's words of three characters or more; English word stems and
    letter trigrams (trigrams survive a typo)."""
    found: set[str] = set()
    if lang == "zh":
        found.update(normalised)
        found.update(normalised[i : i + 2] for i in range(len(normalised) - 1))
        readings = [reading(c) for c in normalised]
        found.update(f"p:{readings[i]} {readings[i + 1]}" for i in range(len(readings) - 1))
        if words:
            found.update("w:" + w for w in words_of(normalised) if len(w) >= 3)
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
    of the runner-up (another entry) is offered as a choice, not answered; `relative`: the
    same as a share of the best score (a long, run-on question scores low everywhere, so
    what tells is how far ahead the best entry is, not how high)."""

    answer: float = 82.0
    suggest: float = 36.0
    margin: float = 8.0
    relative: float = 0.0


@dataclass(frozen=True)
class Weights:
    """How the signals combine (chosen on the development half of the evaluation set).

    `variant`: IDF-weighted Dice with the best single phrasing; `fuzzy`: rapidfuzz `ratio`
    with that phrasing; `entry`: the share of the query's IDF mass found anywhere in the
    entry's phrasings together (a paraphrase often borrows words from two variants);
    `unseen`: the weight of a word no entry uses, as a fraction of the rarest seen word's
    (words we have never seen are what out-of-scope questions are made of, but typos too);
    `keyword`: points added when one of the entry's keywords is in the question, and taken
    away from an entry with keywords when none is; `pinyin`: the weight of a shared pinyin
    pair relative to its IDF (the characters themselves already count once when they are
    the same, so a pinyin pair mostly matters when they differ); `words`: the same for
    jieba's words (0: no segmentation); `topic`: points for an entry whose topic words
    (`MatchSettings.topics`, a few concept words per entry written from its meaning) are in
    the question, each word weighted by how few entries share it, at most twice this;
    `span`: entry coverage is the share of at most this many typical phrasings' weight of
    the question (0: of all of it), so a long, run-on question that names its topic among
    many other words is not diluted by them; `typo`: the weight of an unseen character or
    pair that reads like a known pair (a homophone slip of pinyin input), as a share of an
    unseen one's (1: no difference); `bayes`: points for the entry's share of a naive-Bayes
    posterior over the same features, each entry's phrasings pooled (what words say which
    entry across all of them, not the one closest phrasing: a situation described in other
    words than any single phrasing's), tempered by `bayes_t` per feature (0: not used)."""

    variant: float = 0.2
    fuzzy: float = 0.3
    entry: float = 0.5
    unseen: float = 1.0
    keyword: float = 15.0
    pinyin: float = 0.5
    words: float = 0.0
    topic: float = 0.0
    span: float = 0.0
    typo: float = 1.0
    bayes: float = 0.0
    bayes_t: float = 1.0

    @property
    def segment(self) -> bool:
        return self.words > 0


@dataclass(frozen=True)
class Concept:
    """One idea an emergency is described with ("a fall", "cannot get up", "a child"):
    `weight` (negative for what says the question is general: "预防", "培训", "费"; 0 for
    words that mask the others inside them: the 打 of "电话打了半日") and the words that say
    it, {lang: words}."""

    weight: float
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Emergency:
    """Questions that describe an emergency, answered with the numbers whatever the scores.

    `entries`: the entries that give the numbers, the first the general one; the best ranked
    of them answers. `concepts`: {name: Concept}; a message describes an emergency when the
    weights of the concepts it names (each counted once) add up to `fire_at` or more: a
    situation, not a phrase ("摔" 0.5 + "起不来" 0.6; "打" + "孩子" alone is not enough:
    "小孩打疫苗"). Chinese words are found in the simplified text, and by their pinyin too
    when typed with homophones (`_slip_of`: "昏到" for 昏倒); the words of a concept that takes
    weight away only as written when they are short. A word "=火" is found only as a
    word of jieba's segmentation (火 二楼, never 火车); "嘴~歪" in two parts, the second at most
    `GAP_CHARS` characters (`GAP_WORDS` English words) after the first. `cues`: {lang: phrases}, each enough alone; a
    phrase "A+B" needs both parts (kept for deployments that list phrases)."""

    entries: tuple[str, ...] = ()
    cues: dict[str, tuple[str, ...]] = field(default_factory=dict)
    concepts: dict[str, Concept] = field(default_factory=dict)
    fire_at: float = 1.0
    # An emergency entry ranked first (answered or suggested by the scores) is answered as an
    # emergency when the message's concepts weigh this share of `fire_at`.
    ranked_at: float = 0.7
    # Below the alarm, "the answer with the numbers on top" (`CAUTION`): the concepts weigh
    # `caution_at` or more, or the ones that add weight alone weigh `damped_at` (an alarm
    # taken away by 如果 / 上个月 / 报名 …), or an emergency entry is the first suggestion.
    # Much lower than `fire_at`: a needless line of numbers costs one line, a missed
    # emergency far more.
    caution_at: float = 0.5
    damped_at: float = 1.0


@dataclass(frozen=True)
class SmallTalk:
    """Courtesies answered directly ("谢谢你" → 不客气): `phrases` {entry id: {lang: phrases}};
    a message made only of such phrases and `filler` words (你, 了, very, so …) is small talk,
    answered by the entry of the last phrase in it."""

    phrases: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    filler: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Elsewhere:
    """Questions about somewhere or something else, which the scores alone answered: a
    place outside the deployment named with one of a station's services ("上海浦东的社工站",
    "义乌有没有社工站", "北京的研学夏令营": a person, not our station's entry), and another app
    named where only entries about this bot would answer ("微信号怎么注销" is not /forget).
    Chinese only for places: the place, at most a few other characters (a district), a link
    word (的, 有没有, 那边), at most a few more, then the service; no pronoun or family word
    between ("我在外地 我妈的补贴" is our own subsidy), not right after 在 (someone who lives
    there), and none of the deployment's own places anywhere in the question."""

    places: tuple[str, ...] = ()
    home: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    apps: dict[str, tuple[str, ...]] = field(default_factory=dict)
    about_bot: tuple[str, ...] = ()  # entry ids about this assistant itself
    ours: dict[str, tuple[str, ...]] = field(default_factory=dict)  # words naming this assistant

    @cached_property
    def _place_pattern(self) -> re.Pattern[str] | None:
        if not (self.places and self.services and self.links):
            return None
        free = f"[^{re.escape(PERSON_CHARS)}]{{0,{ELSEWHERE_GAP}}}?"
        # "我儿子在上海的 社工能上门吗": someone who lives there, asking about our station.
        return re.compile(
            f"(?<!在)(?:{_either(self.places)}){free}(?:{_either(self.links)}){free}"
            f"(?:{_either(self.services)})"
        )

    def place_named(self, plain: str) -> bool:
        """`plain`: the Chinese question as `_plain` gives it (no spaces, no punctuation)."""
        pattern = self._place_pattern
        if pattern is None or any(home in plain for home in self.home):
            return False
        return pattern.search(plain) is not None

    def other_app(self, plain: str, lang: str) -> bool:
        """Another app is named and this assistant is not (`plain` as `_plain` gives it)."""
        named = any(app in plain for app in self.apps.get(lang, ()))
        return named and not any(word in plain for word in self.ours.get(lang, ()))


def _either(words: Iterable[str]) -> str:
    """A regex alternation of the words, longest first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


PERSON_CHARS = (
    "我你您他她它们妈爸娘爹儿女孙婆公爷奶家"  # between a place and a service: not elsewhere
)
ELSEWHERE_GAP = 3


@dataclass(frozen=True)
class MatchSettings:
    """What a deployment sets in `faq/matching.yaml`."""

    thresholds: Thresholds = field(default_factory=lambda: Thresholds())
    weights: Weights = field(default_factory=lambda: Weights())
    emergency: Emergency = field(default_factory=Emergency)
    small_talk: SmallTalk = field(default_factory=SmallTalk)
    # {lang: questions}: what a station does not handle (passports, weather, tax …), ranked
    # like an entry; when it comes first, the question goes to a person.
    out_of_scope: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # {entry id: {lang: words}}: a few words naming what the entry is about (助浴: 洗澡 擦身
    # 洗头), written from its meaning; found by characters or pinyin (see `Weights.topic`).
    topics: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    elsewhere: Elsewhere = field(default_factory=Elsewhere)


@dataclass(frozen=True)
class Scored:
    entry_id: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    """`outcome`: answer / suggest / handoff. `emergency`: the question describes an
    emergency, the outcome is `answer` and `best` is an entry with the emergency numbers
    (a handler shows it at once, even mid-conversation, and leaves the conversation where it
    was). `intent`: set when the answer is about the person's own things (`own_requests`,
    `own_volunteer_application`): a handler adds their status and a button."""

    outcome: str
    lang: str
    normalised: str
    ranked: tuple[Scored, ...]
    emergency: bool = False
    intent: str | None = None
    rule: str | None = None  # emergency / small_talk / out_of_scope: decided by a rule, not scores
    # Not an emergency by the rules, but near one (`Emergency.caution_at`): the usual reply
    # with one line of the emergency numbers on top.
    caution: bool = False

    @property
    def best(self) -> Scored | None:
        return self.ranked[0] if self.ranked else None

    @property
    def level(self) -> str:
        """none / caution / alarm: the emergency signal as one plain value."""
        return ALARM if self.emergency else CAUTION if self.caution else NONE


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

        # A Chinese word typed with a homophone ("交前" for 交钱) is folded too: same
        # pinyin, two characters or more, at least one character the same.
        zh = {w for w in (groups or {}).get("zh", {}) if len(w) >= 2}
        self.spoken: dict[tuple[str, ...], list[str]] = {}
        for word in sorted(zh, key=len, reverse=True):
            self.spoken.setdefault(tuple(reading(c) for c in word), []).append(word)
        self.spoken_lengths = sorted({len(k) for k in self.spoken}, reverse=True)

    def fold(self, text: str, lang: str) -> str:
        found = self.patterns.get(lang)
        if found is None:
            return text
        if lang == "zh" and self.spoken:
            text = self._respell(text)
        pattern, table = found
        return pattern.sub(lambda m: table[m.group(0)], text)

    def _respell(self, text: str) -> str:
        readings = [reading(c) for c in text]
        out: list[str] = []
        i = 0
        while i < len(text):
            for n in self.spoken_lengths:
                window = text[i : i + n]
                if len(window) < n:
                    continue
                words = self.spoken.get(tuple(readings[i : i + n]), ())
                word = next(
                    (w for w in words if any(a == b for a, b in zip(w, window, strict=True))),
                    None,
                )
                if word is not None:
                    out.append(word)
                    i += n
                    break
            else:
                out.append(text[i])
                i += 1
        return "".join(out)


class _Index:
    """The variants of one language, preprocessed once."""

    def __init__(
        self, lang: str, docs: Sequence[Document], synonyms: Synonyms, weights: Weights
    ) -> None:
        self.lang = lang
        self.segment = weights.segment
        self.entry_ids = [d.entry_id for d in docs]
        self.texts = [synonyms.fold(normalise(d.text, lang), lang) for d in docs]
        self.entry_names = sorted(set(self.entry_ids))
        entry_pos = {name: i for i, name in enumerate(self.entry_names)}
        self.entry_pos = entry_pos
        self.entry_of = np.array([entry_pos[e] for e in self.entry_ids], dtype=np.int64)
        feats = [features(t, lang, words=self.segment) for t in self.texts]
        self.features_of = feats
        entries_with: dict[str, set[int]] = {}
        for entry, fs in zip(self.entry_of.tolist(), feats, strict=True):
            for f in fs:
                entries_with.setdefault(f, set()).add(entry)
        n = max(1, len(self.entry_names))
        # IDF over entries, not variants: a word every variant of one entry repeats is still
        # that entry's word.
        self.idf = {
            f: math.log((n + 1) / (len(es) + 0.5)) * _scale(f, weights)
            for f, es in entries_with.items()
        }
        self.max_idf = math.log((n + 1) / 0.5)
        postings: dict[str, list[int]] = {}
        mass = np.zeros(len(docs), dtype=np.float64)
        for i, fs in enumerate(feats):
            for f in fs:
                postings.setdefault(f, []).append(i)
                mass[i] += self.idf[f]
        self.postings = {f: np.array(ix, dtype=np.int64) for f, ix in postings.items()}
        self.mass = mass
        self.typical_mass = float(np.median(mass)) if len(mass) else 1.0
        self.entry_postings = {
            f: np.array(sorted(es), dtype=np.int64) for f, es in entries_with.items()
        }
        # Naive Bayes over the same features, each entry's phrasings pooled: how many of its
        # phrasings have the feature, smoothed by `BAYES_ALPHA`; kept sparse (feature →
        # entries, log gain over an unseen feature) so it costs one pass over the postings.
        counts: dict[str, dict[int, int]] = {}
        totals = np.zeros(len(self.entry_names), dtype=np.float64)
        for entry, fs in zip(self.entry_of.tolist(), feats, strict=True):
            totals[entry] += len(fs)
            for f in fs:
                by_entry = counts.setdefault(f, {})
                by_entry[entry] = by_entry.get(entry, 0) + 1
        self.bayes_unseen = np.log(BAYES_ALPHA / (totals + BAYES_ALPHA * max(1, len(counts))))
        self.bayes_postings = {
            f: (
                np.array(list(by_entry), dtype=np.int64),
                np.log(np.array(list(by_entry.values()), dtype=np.float64) + BAYES_ALPHA)
                - math.log(BAYES_ALPHA),
            )
            for f, by_entry in counts.items()
        }

    def __len__(self) -> int:
        return len(self.texts)


BAYES_ALPHA = 0.1


def _bayes(
    q_feats: Iterable[str], index: _Index, w: Weights
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Each entry's naive-Bayes posterior for the query's known features (equal priors),
    its log-likelihoods divided by `bayes_t` × the square root of their number (tempered:
    many features otherwise make it all or nothing)."""
    log_like = np.zeros(len(index.entry_names), dtype=np.float64)
    n = 0
    for f in q_feats:
        found = index.bayes_postings.get(f)
        if found is None:
            continue
        n += 1
        entries, gain = found
        log_like += index.bayes_unseen
        log_like[entries] += gain
    if not n:
        return log_like
    log_like /= w.bayes_t * math.sqrt(n)
    log_like -= log_like.max()
    posterior: np.ndarray[Any, np.dtype[np.float64]] = np.exp(log_like)
    posterior /= posterior.sum()
    return posterior


def _typed_for(query: str, idf: dict[str, float]) -> frozenset[str]:
    """The query's unseen characters and pairs that are most likely homophone typos: a pair no
    entry has whose toneless pinyin a known pair has ("站张" reads as 站长). Such a slip should
    not weigh like a word no entry knows (the weight out-of-scope questions get)."""
    found: set[str] = set()
    readings = [reading(c) for c in query]
    for i in range(len(query) - 1):
        pair = query[i : i + 2]
        if pair in idf or f"p:{readings[i]} {readings[i + 1]}" not in idf:
            continue
        found.add(pair)
        found.update(c for c in pair if c not in idf)
    return frozenset(found)


def _scale(feature: str, weights: Weights) -> float:
    if feature.startswith("p:"):
        return weights.pinyin
    if feature.startswith("w:") and not feature[2:].isascii():
        return weights.words
    return 1.0


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
        emergency: Emergency | None = None,
        small_talk: SmallTalk | None = None,
        intents: dict[str, str] | None = None,
        topics: dict[str, dict[str, tuple[str, ...]]] | None = None,
        elsewhere: Elsewhere | None = None,
    ) -> None:
        self.synonyms = synonyms or Synonyms()
        self.elsewhere = elsewhere or Elsewhere()
        self.weights = weights or Weights()
        self.emergency = emergency or Emergency()
        self.emergency_entries = frozenset(self.emergency.entries)
        self._cues = {
            lang: [_Cue.of(cue, lang) for cue in cues] for lang, cues in self.emergency.cues.items()
        }
        self._lexicon = {lang: _Lexicon(self.emergency, lang) for lang in LANGS}
        self.small_talk = small_talk or SmallTalk()
        self._chat = _ChatIndex(self.small_talk)
        self.intents = dict(intents or {})
        by_lang: dict[str, list[Document]] = {lang: [] for lang in LANGS}
        self.keywords: dict[str, list[tuple[str, str]]] = {lang: [] for lang in LANGS}
        for doc in documents:
            if doc.keyword:
                word = self.synonyms.fold(normalise(doc.text, doc.lang), doc.lang)
                if word:
                    self.keywords.setdefault(doc.lang, []).append((word, doc.entry_id))
            else:
                by_lang.setdefault(doc.lang, []).append(doc)
        self.indexes = {
            lang: _Index(lang, docs, self.synonyms, self.weights) for lang, docs in by_lang.items()
        }
        self.thresholds = thresholds or Thresholds()
        self.candidates = candidates
        self._topics = {
            lang: _WordFinder(
                {
                    entry_id: [self._topic_form(w, lang) for w in words.get(lang, ())]
                    for entry_id, words in (topics or {}).items()
                    if entry_id in self.indexes[lang].entry_pos
                },
                lang,
            )
            for lang in LANGS
        }
        self._topic_idf: dict[str, dict[str, float]] = {}
        for lang, finder in self._topics.items():
            n = max(1, len(self.indexes[lang].entry_names))
            self._topic_idf[lang] = {
                word: math.log((n + 1) / (len(owners) + 0.5)) / math.log((n + 1) / 1.5)
                for word, owners in finder.exact.items()
            }

    def _topic_form(self, text: str, lang: str) -> str:
        """A topic word or a query as topic words are looked for: normalised, synonyms
        folded, English words stemmed."""
        folded = self.synonyms.fold(normalise(text, lang), lang)
        return folded if lang == "zh" else " ".join(_stem(w) for w in folded.split())

    def variant_count(self, lang: str) -> int:
        return len(self.indexes[lang])

    def warm(self) -> None:
        """Match one sentence in each language, so what loads on first use (jieba's
        dictionary, about half a second of CPU; pypinyin's tables) loads when the bot starts,
        not while the first resident of the day waits for an answer."""
        self.match("你好，请问怎么申请服务", lang="zh")
        self.match("hello, how do I request a service", lang="en")

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
        best = self._scores(query, lang, index, exclude)
        if best is None:
            return query, []
        # An entry with keywords is about the thing they name: up when it is named, down when
        # it is not ("社工站电话多少" is not about Xicheng's station).
        named: dict[str, bool] = {}
        spoken = _readings(query) if lang == "zh" else ""
        for word, entry_id in self.keywords.get(lang, ()):
            named[entry_id] = named.get(entry_id, False) or _mentions(query, word, lang, spoken)
        for entry_id, mentioned in named.items():
            position = index.entry_pos.get(entry_id)
            if position is not None and best[position] >= 0:
                best[position] = max(0.0, best[position] + (w.keyword if mentioned else -w.keyword))
        if w.topic:
            idf = self._topic_idf[lang]
            gained: dict[str, float] = {}
            spoken_query = query if lang == "zh" else " ".join(_stem(x) for x in query.split())
            for word, owners in self._topics[lang].words_in(spoken_query).items():
                for entry_id in owners:
                    gained[entry_id] = gained.get(entry_id, 0.0) + idf[word]
            for entry_id, amount in gained.items():
                position = index.entry_pos[entry_id]
                if best[position] >= 0:
                    best[position] += w.topic * min(2.0, amount)
        count = min(limit, int((best >= 0).sum()))
        order = np.argsort(-best, kind="stable")[:count]
        return query, [Scored(index.entry_names[e], round(float(best[e]), 1)) for e in order]

    def _scores(
        self, query: str, lang: str, index: _Index, exclude: int | None
    ) -> np.ndarray[Any, np.dtype[np.float64]] | None:
        """Every entry's score for one normalised text (-1: shares nothing)."""
        w = self.weights
        q_feats = features(query, lang, words=index.segment)
        typos = _typed_for(query, index.idf) if lang == "zh" and w.typo < 1 else frozenset()
        overlap = np.zeros(len(index), dtype=np.float64)
        covered = np.zeros(len(index.entry_names), dtype=np.float64)
        q_mass = 0.0
        for f in q_feats:
            weight = index.idf.get(f)
            if weight is None:
                weight = w.unseen * index.max_idf * _scale(f, w)
                if f in typos:
                    weight *= w.typo
            q_mass += weight
            hits = index.postings.get(f)
            if hits is not None:
                overlap[hits] += weight
                covered[index.entry_postings[f]] += weight
        dice = 2.0 * overlap / (q_mass + index.mass)
        if w.span and q_mass:
            q_mass = min(q_mass, w.span * index.typical_mass)
        coverage = np.minimum(covered / q_mass, 1.0) if q_mass else covered
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
            return None
        fuzzy = process.cdist(
            [query], [index.texts[i] for i in top], scorer=fuzz.ratio, processor=None, workers=1
        )[0]
        entries = index.entry_of[top]
        combined = (
            w.variant * 100.0 * dice[top] + w.fuzzy * fuzzy + w.entry * 100.0 * coverage[entries]
        )
        best = np.full(len(index.entry_names), -1.0)
        np.maximum.at(best, entries, combined)
        if w.bayes:
            best = np.where(best >= 0, best + w.bayes * 100.0 * _bayes(q_feats, index, w), best)
        return best

    def match(self, text: str, *, lang: str | None = None, limit: int = 3) -> MatchResult:
        """Emergencies first (answered with the numbers whatever the scores), then small
        talk (answered), then out of scope (handed off), then the thresholds decide; an
        emergency entry that would only be suggested is answered. Whatever is not an alarm
        nor small talk may be near one (`caution`: the numbers on top of that reply)."""
        lang = lang or script_of(text)
        query, ranked = self.rank(text, lang=lang, limit=max(limit, EMERGENCY_DEPTH))
        found = self._lexicon[lang].found(_plain(text, lang))
        urgent = self.emergency_entry(text, lang, ranked, found)
        if (
            urgent is None
            and self.emergency.entries
            and _EMERGENCY_NUMBERS_ONLY.match(unicodedata.normalize("NFKC", text))
        ):
            # "110", "120 119": the numbers themselves, the general entry's answer (the child
            # entry's title names 110 and 120 too and outscored it; "119" was handed off).
            urgent = self.emergency.entries[0]
        if urgent is not None:
            return MatchResult(
                ANSWER, lang, query, _first(urgent, ranked, limit), emergency=True, rule=EMERGENCY
            )
        chat = self.small_talk_entry(text, lang)
        if chat is not None:
            return MatchResult(ANSWER, lang, query, _first(chat, ranked, limit), rule=SMALL_TALK)
        if not has_words(text) and not self._is_keyword(text):
            # No words, and not a number an entry is known by ("110", "12355"): nothing to
            # answer, whatever the fuzzy scores of its digits say; a person may read it.
            return MatchResult(HANDOFF, lang, query, (), rule=NO_WORDS)
        weight = sum(found.values())
        plain = _plain(text, lang)
        if lang == "zh" and self.elsewhere.place_named(plain):
            # Another city's station or subsidy: ours would be a wrong answer; a person can
            # say whom to ask there.
            real = [s for s in ranked if s.entry_id != OUT_OF_SCOPE]
            return MatchResult(
                HANDOFF, lang, query, tuple(real[:limit]), rule=OUT_OF_SCOPE_RULE,
                caution=self.near_emergency(found, None, HANDOFF),
            )  # fmt: skip
        if self.elsewhere.about_bot and self.elsewhere.other_app(plain, lang):
            # "微信号怎么注销": WeChat's account, not ours; entries about this assistant step aside.
            ranked = [s for s in ranked if s.entry_id not in self.elsewhere.about_bot]
        real = [s for s in ranked if s.entry_id != OUT_OF_SCOPE]
        if ranked and ranked[0].entry_id == OUT_OF_SCOPE:
            # Clearly most like something we know we do not handle (by the same lead an
            # answer needs): a person answers it.
            lead = ranked[0].score - (real[0].score if real else 0.0)
            t = self.thresholds
            if lead >= max(t.margin, t.relative * ranked[0].score):
                caution = self.near_emergency(found, None, HANDOFF)
                return MatchResult(
                    HANDOFF,
                    lang,
                    query,
                    tuple(real[:limit]),
                    rule=OUT_OF_SCOPE_RULE,
                    caution=caution,
                )
        ranked = real[:limit]
        outcome = self.outcome(ranked)
        first = ranked[0].entry_id if ranked else None
        if (
            outcome in (SUGGEST, ANSWER)
            and first in self.emergency_entries
            and weight >= self.emergency.ranked_at * self.emergency.fire_at - 1e-9
        ):
            # Someone who may be in danger gets the numbers, not a choice to make (when the
            # message names most of an emergency: "孩子晚上一直哭闹" is not one).
            return MatchResult(ANSWER, lang, query, tuple(ranked), emergency=True, rule=EMERGENCY)
        intent = self.intents.get(ranked[0].entry_id) if outcome == ANSWER else None
        if first in self.emergency_entries and not found and _OTHER_NUMBER.search(text):
            # "12人次", "12月10日": the digits are like 120's and 12355's, nothing else is.
            first = None
        caution = self.near_emergency(found, first, outcome)
        return MatchResult(outcome, lang, query, tuple(ranked), intent=intent, caution=caution)

    def _is_keyword(self, text: str) -> bool:
        """`text` is, as a whole, one entry's keyword or topic word in either language
        ("110" and "12355" are the emergency entries' topic words)."""
        for lang in LANGS:
            folded = self.synonyms.fold(normalise(text, lang), lang)
            if not folded:
                continue
            if any(word == folded for word, _ in self.keywords.get(lang, ())):
                return True
            if self._topic_form(text, lang) in self._topics[lang].exact:
                return True
        return False

    def near_emergency(
        self,
        found: dict[str, float],
        first: str | None,
        outcome: str,
        emergency: Emergency | None = None,
    ) -> bool:
        """Near an emergency without the alarm (`Emergency.caution_at`): the usual reply gets
        the numbers on top; not when that reply is itself an entry with the numbers. `found`:
        the message's concepts; `first`, `outcome`: what the scores decided. (`emergency`: other
        settings, for `bench.knowledge --caution`.)"""
        answered = first if outcome == ANSWER else None
        if answered in self.emergency_entries:
            return False
        e = emergency or self.emergency
        return (
            sum(found.values()) >= e.caution_at - 1e-9
            or sum(w for w in found.values() if w > 0) >= e.damped_at - 1e-9
            or (first in self.emergency_entries and outcome != HANDOFF)
        )

    def emergency_entry(
        self,
        text: str,
        lang: str,
        ranked: Sequence[Scored],
        found: dict[str, float] | None = None,
    ) -> str | None:
        """The emergency entry to answer with, when the text describes an emergency: the
        general one (the first), unless another scores `thresholds.margin` points more (the
        text is about it: a child in danger). `ranked` is not used: every emergency entry's
        score is compared, wherever it ranks. `found`: the text's concepts, when known."""
        if not self.emergency.entries or not self.is_emergency(text, lang, found):
            return None
        general = self.emergency.entries[0]
        _, everything = self.rank(text, lang=lang, limit=len(self.indexes[lang].entry_names))
        scores = {s.entry_id: s.score for s in everything if s.entry_id in self.emergency_entries}
        best = max(scores, key=lambda e: scores[e], default=general)
        if best != general and scores[best] - scores.get(general, 0.0) >= self.thresholds.margin:
            return best
        return general

    def is_emergency(
        self, text: str, lang: str | None = None, found: dict[str, float] | None = None
    ) -> bool:
        """The text describes an emergency: its concepts (`found`, when known) weigh
        `fire_at` or more, or a cue is in it."""
        lang = lang or script_of(text)
        plain = _plain(text, lang)
        if found is None:
            found = self._lexicon[lang].found(plain)
        if sum(found.values()) >= self.emergency.fire_at - 1e-9:
            return True
        cues = self._cues.get(lang)
        if not cues:
            return False
        readings = _readings(plain) if lang == "zh" else ""
        return any(cue.found(plain, readings) for cue in cues)

    def emergency_concepts(self, text: str, lang: str | None = None) -> dict[str, float]:
        """(for tests and tuning) the concepts found in the text and their weights."""
        lang = lang or script_of(text)
        return self._lexicon[lang].found(_plain(text, lang))

    def small_talk_entry(self, text: str, lang: str) -> str | None:
        return self._chat.entry(_plain(text, lang), lang)

    def outcome(self, ranked: Sequence[Scored]) -> str:
        return decide(ranked, self.thresholds)


EMERGENCY_DEPTH = 10  # how far down the ranking an emergency entry is looked for
# The pseudo-entry of `MatchSettings.out_of_scope`: questions a station does not handle.
OUT_OF_SCOPE = "_out_of_scope"


# A number that is none of the emergency lines (12, 20, 2026): digits near 120 or 12355 by
# their characters, not by what they are.
_OTHER_NUMBER = re.compile(r"(?<!\d)(?!(?:110|119|120|122|12355|12356|12338|96110)(?!\d))\d+")
# China's police, fire, ambulance and traffic-accident numbers, typed alone or together.
_EMERGENCY_NUMBERS_ONLY = re.compile(r"^[\s\W]*(?:(?:110|119|120|122)(?:[\s\W]+|$))+$")


def _first(entry_id: str, ranked: Sequence[Scored], limit: int) -> tuple[Scored, ...]:
    top = max([100.0, *(s.score for s in ranked)])
    # The out-of-scope pseudo-entry ranks too; it is never a runner-up (nothing to show).
    rest = [s for s in ranked if s.entry_id not in (entry_id, OUT_OF_SCOPE)]
    return (Scored(entry_id, top), *rest[: limit - 1])


def _plain(text: str, lang: str) -> str:
    """Folded width and script, no punctuation; Chinese without spaces, English with one
    space around every word (so " fell " finds whole words)."""
    text = fold_width_and_script(text, lang).replace("'", "").replace("’", "")
    if lang == "zh":
        return _NOT_WORD.sub("", text).replace("_", "")
    return " " + _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip() + " "


def plain_text(text: str, lang: str) -> str:
    """`_plain` for the loader: a list's word compared as the question is (`Elsewhere`)."""
    plain = _plain(text, lang)
    return plain if lang == "en" else plain.strip()


def _readings(plain: str) -> str:
    return " " + " ".join(reading(c) for c in plain) + " "


@dataclass(frozen=True)
class _Cue:
    parts: tuple[tuple[str, str | None], ...]  # (text, its pinyin when long enough)

    @classmethod
    def of(cls, cue: str, lang: str) -> _Cue:
        parts = []
        for part in cue.split("+"):
            plain = _plain(part, lang).strip() if lang == "en" else _plain(part, lang)
            spoken = _readings(plain) if lang == "zh" and len(plain) >= 3 else None
            parts.append((plain if lang == "zh" else f" {plain} ", spoken))
        return cls(tuple(parts))

    def found(self, plain: str, readings: str) -> bool:
        return all(
            part in plain or (spoken is not None and spoken in readings)
            for part, spoken in self.parts
        )


def _slip_of(word: str, window: str) -> bool:
    """The window (read like the word in toneless pinyin) is the word typed with homophones:
    one character in three at most is different, one always allowed ("昏到" for 昏倒, "起不赖"
    for 起不来; "腿不行" is not 推不醒), and a window of two keeps its first character and is
    not itself an everyday word ("拿到" is not 拿刀)."""
    if window == word:
        return True
    differ = sum(a != b for a, b in zip(word, window, strict=True))
    if differ > max(1, len(word) // 3):
        return False
    if len(window) >= 3:
        return True
    # Two characters: the first is the one typed right ("昏到" for 昏倒), and the pair is not
    # itself an everyday word ("拿到" is not 拿刀; "啥人" is not 杀人, "意书" in 同意书 not 遗书).
    return window[0] == word[0] and window not in _everyday_pairs()


@lru_cache(maxsize=1)
def _everyday_pairs() -> frozenset[str]:
    """Two-character words of jieba's dictionary that are common (frequency 20 or more):
    read once, on the first two-character homophone seen (about 0.2 s)."""
    from pathlib import Path

    import jieba

    pairs = set()
    dictionary = Path(jieba.__file__).parent / "dict.txt"
    for line in dictionary.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 2 and parts[1].isdigit() and int(parts[1]) >= 20:
            pairs.add(parts[0])
    return frozenset(pairs)


GAP_CHARS = 5  # "嘴~歪" finds 嘴角往一边歪: at most this many characters between the parts
GAP_WORDS = 3  # "break~into" finds "break right into": at most this many words between


def _gap_pattern(word: str, lang: str) -> re.Pattern[str]:
    parts = [re.escape(_plain(part, lang).strip()) for part in word.split("~")]
    if lang == "zh":
        return re.compile(f".{{0,{GAP_CHARS}}}".join(parts))
    gap = f" (?:\\S+ ){{0,{GAP_WORDS}}}"
    return re.compile(" " + gap.join(parts) + " ")


class _WordFinder:
    """Words (each owned by some names) found in a text by sliding windows: every window of
    a known word's length is one dictionary look-up, by its characters and (Chinese) by its
    pinyin when the window is a homophone slip of the word (`_slip_of`); one character only
    as itself. `exact`: names whose words are found only as they are written (a question
    that is general is recognised through a typo only in words of three characters or more:
    "血止补住" is not 补助)."""

    def __init__(
        self, owners: dict[str, Iterable[str]], lang: str, exact: frozenset[str] = frozenset()
    ) -> None:
        self.lang = lang
        self.exact: dict[str, set[str]] = {}
        self.spoken: dict[tuple[str, ...], list[str]] = {}
        # "=火": found only as a whole word of jieba's segmentation ("火 二楼 有人", never
        # 火车 or 上火): a short word that is a situation only when it stands alone.
        self.tokens: dict[str, set[str]] = {}
        self.gaps: list[tuple[str, re.Pattern[str], str]] = []
        for name, words in owners.items():
            for word in words:
                if lang == "zh" and word.startswith("="):
                    self.tokens.setdefault(_plain(word[1:], lang), set()).add(name)
                    continue
                if "~" in word:  # "嘴~歪": 嘴, then 歪 a few characters (words) later
                    self.gaps.append((word, _gap_pattern(word, lang), name))
                    continue
                plain = _plain(word, lang).strip()
                if not plain:
                    continue
                shortest = 3 if name in exact else 2
                if plain not in self.exact and lang == "zh" and len(plain) >= shortest:
                    self.spoken.setdefault(tuple(reading(c) for c in plain), []).append(plain)
                self.exact.setdefault(plain, set()).add(name)
        self.lengths = sorted({len(w) for w in self.exact})

    def words_in(self, plain: str) -> dict[str, set[str]]:
        """{word found: its owners}."""
        found: dict[str, set[str]] = {}
        if self.lang == "zh":
            readings = [reading(c) for c in plain]
            for i in range(len(plain)):
                for n in self.lengths:
                    if i + n > len(plain):
                        break
                    window = plain[i : i + n]
                    if window in self.exact:
                        found[window] = self.exact[window]
                    if n < 2:
                        continue
                    for word in self.spoken.get(tuple(readings[i : i + n]), ()):
                        if _slip_of(word, window):
                            found[word] = self.exact[word]
            if self.tokens:
                for word in words_of(plain):
                    if word in self.tokens:
                        found["=" + word] = self.tokens[word]
        else:
            words = plain.split()
            for i in range(len(words)):
                for n in range(1, 5):
                    if i + n > len(words):
                        break
                    window = " ".join(words[i : i + n])
                    if window in self.exact:
                        found[window] = self.exact[window]
        # Words in two parts ("嘴~歪"), in either language. (This loop's `else:` had taken the
        # English windows, so a Chinese text was also looked up whole as one English word.)
        for word, pattern, name in self.gaps:
            if pattern.search(plain):
                found.setdefault(word, set()).add(name)
        return found


class _Lexicon:
    """The emergency concepts of one language (`Emergency`)."""

    def __init__(self, emergency: Emergency, lang: str) -> None:
        self.lang = lang
        concepts = {name: c for name, c in emergency.concepts.items() if c.weight != 0}
        self.weights = {name: c.weight for name, c in concepts.items()}
        self.finder = _WordFinder(
            {name: c.words.get(lang, ()) for name, c in concepts.items()},
            lang,
            exact=frozenset(name for name, c in concepts.items() if c.weight < 0),
        )
        # A concept of weight 0 masks: its words ("打电话", "打不着火") are blanked out before
        # the others are looked for, so the 打 or 火 inside them is not found, while a real
        # one elsewhere in the message still counts (a negative weight would cancel it too).
        masking = (c for c in emergency.concepts.values() if c.weight == 0)
        words = {_plain(w, lang).strip() for c in masking for w in c.words.get(lang, ())}
        self.masks = sorted((w for w in words if w), key=len, reverse=True)

    def found(self, plain: str) -> dict[str, float]:
        for word in self.masks:
            if self.lang == "zh":
                plain = plain.replace(word, "|" * len(word))
            else:
                plain = plain.replace(f" {word} ", " | ")
        names: set[str] = set()
        for owners in self.finder.words_in(plain).values():
            names |= owners
        return {name: self.weights[name] for name in names}


class _ChatIndex:
    def __init__(self, small_talk: SmallTalk) -> None:
        self.phrases: dict[str, list[tuple[str, str]]] = {}
        for entry_id, by_lang in small_talk.phrases.items():
            for lang, phrases in by_lang.items():
                for phrase in phrases:
                    self.phrases.setdefault(lang, []).append(
                        (_plain(phrase, lang).strip(), entry_id)
                    )
        for found in self.phrases.values():
            found.sort(key=lambda item: -len(item[0]))
        self.filler = {
            lang: sorted((_plain(w, lang).strip() for w in words), key=len, reverse=True)
            for lang, words in small_talk.filler.items()
        }

    def entry(self, plain: str, lang: str) -> str | None:
        phrases = self.phrases.get(lang)
        if not phrases or not plain.strip():
            return None
        rest = plain
        last: tuple[int, str] | None = None
        for phrase, entry_id in phrases:
            at = _find_phrase(rest, phrase, lang)
            while at >= 0:
                if last is None or at > last[0]:
                    last = (at, entry_id)
                rest = rest[:at] + "\0" * len(phrase) + rest[at + len(phrase) :]
                at = _find_phrase(rest, phrase, lang)
        if last is None:
            return None
        for word in self.filler.get(lang, ()):
            while (at := _find_phrase(rest, word, lang)) >= 0:
                rest = rest[:at] + "\0" * len(word) + rest[at + len(word) :]
        return last[1] if not rest.replace("\0", "").strip() else None


def _find_phrase(text: str, phrase: str, lang: str) -> int:
    if lang == "zh":
        return text.find(phrase)
    at = text.find(f" {phrase} ")
    return at + 1 if at >= 0 else -1


def _mentions(query: str, word: str, lang: str, spoken: str = "") -> bool:
    """The keyword is in the query; a Chinese one of two characters or more also when it
    is typed with homophones ("方言镇" names 方岩)."""
    if lang != "zh":
        return f" {word} " in f" {query} "
    return word in query or (len(word) >= 2 and bool(spoken) and _readings(word) in spoken)


def decide(ranked: Sequence[Scored], t: Thresholds) -> str:
    """Answer, suggest or hand off, from the ranked entries (best first)."""
    if not ranked:
        return HANDOFF
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    best = ranked[0].score
    # The answer rule comes first: a long question far ahead of the rest is answered even
    # below the suggest line, while a short one near several entries is not.
    if best >= t.answer and best - runner_up >= max(t.margin, t.relative * best):
        return ANSWER
    return SUGGEST if best >= t.suggest else HANDOFF
