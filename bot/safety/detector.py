"""Rule-based crisis safety net: spaCy Matcher rules over lemma-normalised tokens.

The wording lives in patterns.yml; this module only compiles it and applies the
context checks (negation, past/recovered history, talk about other people).
Every token gets a canonical form in ``Token.norm_`` (lower-cased lookup lemma
after typo, text-speak and leetspeak correction) and all rules match on NORM,
so "kil myslef", "k1ll myself" and "killing myself" meet the same rule.
Nothing here logs or returns user text: results carry rule names only.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Set, Tuple, Union

import spacy
import yaml
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.lookups import load_lookups
from spacy.matcher import Matcher
from spacy.tokens import Doc

PATTERNS_PATH = Path(__file__).with_name("patterns.yml")
CATEGORIES = ("suicidal", "self_harm", "overdose_medical", "harm_others", "danger_now")
NEGATION_MODES = ("before", "inside", "none")
MARKER_KINDS = ("history_markers", "recent_markers", "recent_clause_markers", "recovery_markers")
MAX_CHUNK_CHARS = 100_000

Token = Dict[str, Any]  # one spaCy Matcher token pattern
Bounds = Tuple[int, int]  # token offsets [start, end)
Match = Tuple[int, int, int]  # (match key hash, start, end)
Marks = Dict[str, List[Bounds]]
_WILDCARD: Token = {"IS_PUNCT": False, "IS_SPACE": False, "OP": "?"}
_YEAR: Token = {"TEXT": {"REGEX": r"^(19|20)\d\d$"}}
_MANY: Token = {"TEXT": {"REGEX": r"^[1-9]\d+$"}}
_MAX_VARIANTS = 5000

_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_LINEBREAK_RE = re.compile(r"[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_INVISIBLE_RE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_APOSTROPHES = str.maketrans({c: "'" for c in "\u2018\u2019\u201b\u02bc\u02b9\u00b4\u0060\u2032\uff07"})
_JOINER_RE = re.compile(r"(?<=[a-z])[-\u2010-\u2015_/~]+(?=[a-z])")
_REPEAT_RE = re.compile(r"(.)\1{2,}")
_SENTENCE_END_RE = re.compile(r"^[.!?\u2026]+$")


@dataclass(frozen=True)
class SafetyResult:
    """Outcome of one check; `matched` is a rule name, never the user's text.

    `set_aside` is true when crisis wording was found but every match was
    explained by its context (negated, over and past, about other people, an
    idiom): the NLU layer uses it to overrule a bag-of-words crisis guess.
    """

    crisis: bool
    category: Optional[str] = None
    matched: Optional[str] = None
    set_aside: bool = False


NO_CRISIS = SafetyResult(crisis=False)


@dataclass(frozen=True)
class _Rule:
    """A compiled crisis rule's metadata."""

    name: str
    category: str
    negation: str
    past_ok: bool
    generic_ok: bool


@dataclass
class _Layout:
    """Sentence and clause boundaries of one doc, by token index."""

    sent_of: List[int]
    clause_of: List[int]
    sent_bounds: List[Bounds]
    clause_bounds: List[Bounds]


def clean_text(text: str) -> str:
    """Normalise unicode, quotes, joiners and control characters; lower-case."""
    text = unicodedata.normalize("NFKC", text)
    text = _LINEBREAK_RE.sub("\n", text)
    text = _CONTROL_RE.sub(" ", text)
    text = _INVISIBLE_RE.sub("", text)
    text = text.translate(_APOSTROPHES)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    text = text.lower()
    return _JOINER_RE.sub(" ", text)


def _chunks(text: str, size: int = MAX_CHUNK_CHARS) -> Iterator[str]:
    """Split very long text at whitespace into pieces of at most about `size` chars."""
    while len(text) > size:
        cut = text.rfind(" ", size // 2, size)
        cut = size if cut < 0 else cut
        yield text[:cut]
        text = text[cut:]
    yield text


def _deletes(word: str, depth: int) -> Set[str]:
    """All strings reachable from `word` by deleting up to `depth` characters."""
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def _edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance (Levenshtein plus adjacent swaps)."""
    prev2: List[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def _strings(data: Dict[str, Any], key: str) -> List[str]:
    """A YAML word list, refusing non-strings (unquoted `no`/`on` load as booleans)."""
    values = data.get(key) or []
    bad = [v for v in values if not isinstance(v, str)]
    if bad:
        raise ValueError(f"patterns.yml: {key} must hold strings only, got {bad!r} (quote them)")
    return list(values)


def _dictionary_words() -> FrozenSet[str]:
    """English base words (WordNet index from spacy-lookups-data) that are never typo-corrected."""
    index = load_lookups("en", ["lemma_index"], strict=False)
    if not index.has_table("lemma_index"):
        return frozenset()
    return frozenset(w for words in index.get_table("lemma_index").values() for w in words if w.isalpha())


def merge_phrases(phrases: Iterable[Tuple[str, ...]]) -> List[List[Set[str]]]:
    """Per-position token sets that together accept exactly `phrases`.

    Phrases that differ in one position only share a sequence of sets ("want to"
    and "wish to" become [want, wish] [to]), which keeps the number of Matcher
    patterns small. Merging every phrase of one length, as this once did,
    accepted mixtures: "be here without" + "keep doing this" gave "be doing
    this", and "not sure I'm doing this right" was flagged.
    """
    groups: List[List[Set[str]]] = []
    for tokens in dict.fromkeys(t for t in phrases if t):
        for group in groups:
            if len(group) != len(tokens):
                continue
            differing = [i for i, token in enumerate(tokens) if token not in group[i]]
            if not differing:
                break
            i = differing[0]
            if len(differing) == 1 and all(len(group[j]) == 1 for j in range(len(group)) if j != i):
                group[i].add(tokens[i])
                break
        else:
            groups.append([{token} for token in tokens])
    return groups


def _restores_double(word: str, target: str) -> bool:
    """True if `target` is `word` with one doubled letter restored ("hiting" -> "hitting")."""
    return len(target) == len(word) + 1 and any(
        target == word[:i] + word[i - 1] + word[i:] for i in range(1, len(word) + 1)
    )


def _build_pipeline(nlp: Optional[Language]) -> Language:
    """Reuse `nlp` if it is English with a lookup lemmatizer, else build a small one."""
    if nlp is not None and nlp.lang == "en" and "lemmatizer" in nlp.pipe_names:
        lemmatizer = nlp.get_pipe("lemmatizer")
        if getattr(lemmatizer, "mode", None) == "lookup" and lemmatizer.lookups.has_table("lemma_lookup"):
            return nlp
    own = spacy.blank("en")
    own.add_pipe("lemmatizer", config={"mode": "lookup"})
    own.initialize()
    return own


class SafetyNet:
    """Flags messages that suggest a crisis, using the phrase rules in patterns.yml."""

    def __init__(self, nlp: Optional[Language] = None, patterns_path: Union[str, Path, None] = None) -> None:
        """Load the pattern data and build the matchers (the spaCy `nlp` is never modified)."""
        self._nlp = _build_pipeline(nlp)
        data = yaml.safe_load(Path(patterns_path or PATTERNS_PATH).read_text(encoding="utf-8"))
        self._lemmas = self._nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        self._lemma_values: FrozenSet[str] = frozenset(self._lemmas.values())
        self._dictionary = _dictionary_words()
        self._lexicon: Dict[str, List[str]] = {k: _strings(data["lexicon"], k) for k in data["lexicon"]}
        self._leet = str.maketrans({str(k): str(v) for k, v in data.get("leet", {}).items()})
        fuzzy = data.get("fuzzy", {})
        self._fuzzy_min = int(fuzzy.get("min_length", 4))
        self._fuzzy_long = int(fuzzy.get("long_word", 8))
        self._protected = frozenset(_strings(fuzzy, "protected"))
        self._raw_spelling = {str(k): str(v) for k, v in data.get("spelling", {}).items()}
        # A word spelled to itself ("kms: kms") is kept as is; other fixes are lemmatised.
        self._spelling = {
            k: v if self._raw_spelling.get(v) == v else self._lemma(v) for k, v in self._raw_spelling.items()
        }
        self._canon = lru_cache(maxsize=100_000)(self._canon_uncached)

        self._targets: Set[str] = set()
        self._fuzzy_index: Dict[str, Set[str]] = {}
        self._build_fuzzy(data)

        self._negators = self._canon_set(data, "negators")
        self._breakers = self._canon_set(data, "negation_breakers")
        self._clause_words = self._canon_set(data, "clause_breaks")
        self._fillers = self._canon_set(data, "trailing_fillers")
        self._generic_markers = self._canon_set(data, "generic_markers")
        self._first_person = self._canon_set(data, "first_person")
        self._service_words = self._canon_set(data, "service_words")
        self._question_starts = self._canon_set(data, "question_starts")
        self._past_forms = frozenset(_strings(data, "past_forms"))
        settings = data.get("settings", {})
        self._negation_window = int(settings.get("negation_window", 6))
        self._generic_window = int(settings.get("generic_window", 6))
        priority = list(data.get("priority", CATEGORIES))
        self._priority = {cat: priority.index(cat) if cat in priority else len(priority) for cat in CATEGORIES}

        self._keys: Dict[int, Tuple[str, str, bool]] = {}
        self._groups: Dict[Tuple[str, str, FrozenSet[str]], Matcher] = {}
        self._anchor_index: Dict[Tuple[str, str], List[Tuple[Matcher, bool]]] = {}
        self._always: List[Tuple[Matcher, bool]] = []
        self._reach: Dict[Matcher, int] = {}
        self._rules: Dict[str, _Rule] = {}
        for rule in data["rules"]:
            if rule["category"] not in CATEGORIES:
                raise ValueError(f"unknown category {rule['category']!r} in rule {rule['name']!r}")
            if rule.get("negation", "before") not in NEGATION_MODES:
                raise ValueError(f"unknown negation mode {rule['negation']!r} in rule {rule['name']!r}")
            self._rules[rule["name"]] = _Rule(
                name=rule["name"],
                category=rule["category"],
                negation=rule.get("negation", "before"),
                past_ok=bool(rule.get("past_ok", True)),
                generic_ok=bool(rule.get("generic_ok", False)),
            )
            self._add("rule", rule["name"], rule["patterns"])
        for context in data.get("safe_contexts", []):
            self._add("safe", context["name"], context["patterns"])
        for kind in MARKER_KINDS:
            self._add(kind, kind, data.get(kind, []))

    # ------------------------------------------------------------------ public

    def check(self, text: str) -> SafetyResult:
        """Check one message; returns the most urgent crisis found, if any."""
        if not isinstance(text, str) or not text.strip():
            return NO_CRISIS
        best: Optional[Tuple[int, _Rule]] = None
        set_aside = False
        for chunk in _chunks(clean_text(text)):
            found, chunk_set_aside = self._check_doc(self._nlp.make_doc(chunk))
            set_aside = set_aside or chunk_set_aside
            if found is not None and (best is None or found[0] < best[0]):
                best = found
        if best is None:
            return SafetyResult(crisis=False, set_aside=True) if set_aside else NO_CRISIS
        rule = best[1]
        return SafetyResult(crisis=True, category=rule.category, matched=rule.name)

    @property
    def rule_names(self) -> List[str]:
        """Names of all crisis rules, in file order."""
        return list(self._rules)

    # -------------------------------------------------------------- compiling

    def _lemma(self, word: str) -> str:
        """The lookup lemma of a lower-case word (the word itself if unknown)."""
        return self._lemmas.get(word, word)

    def _is_known(self, word: str) -> bool:
        """True for real words that must not be typo-corrected."""
        return (
            word in self._targets
            or word in self._protected
            or word in STOP_WORDS
            or word in self._lemma_values
            or word in self._lemmas
            or word in self._dictionary
        )

    def _canon_set(self, data: Dict[str, Any], key: str) -> FrozenSet[str]:
        """Canonical forms of a word list from the pattern data."""
        return frozenset(self._canon(word) for word in _strings(data, key))

    def _max_edits(self, length: int) -> int:
        """Edit distance allowed when correcting a word of this length."""
        if length < self._fuzzy_min:
            return 0
        return 2 if length >= self._fuzzy_long else 1

    def _words_of(self, data: Dict[str, Any]) -> Iterable[str]:
        """Every literal word used by the pattern data (typo-correction targets)."""
        phrases: List[str] = [e for entries in self._lexicon.values() for e in entries if not e.startswith("=")]
        sections = [r["patterns"] for r in data["rules"]] + [c["patterns"] for c in data.get("safe_contexts", [])]
        sections.extend(data.get(kind, []) for kind in MARKER_KINDS)
        for patterns in sections:
            for pattern in patterns:
                for part in pattern.split():
                    for alt in part.rstrip("?").split("|"):
                        if alt and alt[0] not in "@=#*$":
                            phrases.append(alt.replace("_", " "))
        phrases.extend(self._raw_spelling.values())
        for phrase in phrases:
            for token in self._nlp.make_doc(clean_text(phrase)):
                yield token.text

    def _inflections(self, word: str) -> Iterable[str]:
        """Regular inflected forms of `word` that the lemma table confirms."""
        stem = self._lemma(word)
        candidates = {word, stem, stem + "s", stem + "es", stem + "ed", stem + "d", stem + "ing"}
        if stem.endswith("e"):
            candidates |= {stem[:-1] + "ing", stem[:-1] + "ed"}
        if stem:
            candidates |= {stem + stem[-1] + "ing", stem + stem[-1] + "ed"}
        if stem.endswith("y"):
            candidates |= {stem[:-1] + "ies", stem[:-1] + "ied"}
        return [c for c in candidates if c == word or self._lemmas.get(c) == stem]

    def _build_fuzzy(self, data: Dict[str, Any]) -> None:
        """Index the pattern vocabulary for edit-distance typo correction."""
        for word in self._words_of(data):
            self._targets.update(self._inflections(word))
        for target in self._targets:
            if not target.isalpha():
                continue
            for variant in _deletes(target, self._max_edits(len(target))):
                self._fuzzy_index.setdefault(variant, set()).add(target)

    def _fuzzy_lookup(self, word: str) -> Optional[str]:
        """The closest pattern word within the allowed edit distance, if any."""
        depth = self._max_edits(len(word))
        if depth == 0 or len(word) > 24:
            return None
        candidates: Set[str] = set()
        for variant in _deletes(word, depth):
            candidates |= self._fuzzy_index.get(variant, set())
        best: Optional[Tuple[int, bool, int, bool, str]] = None
        for target in candidates:
            limit = min(depth, self._max_edits(len(target)))
            if limit == 0 or abs(len(target) - len(word)) > limit:
                continue
            distance = _edit_distance(word, target)
            if distance <= limit:
                doubled = _restores_double(word, target)
                key = (distance, not doubled, abs(len(target) - len(word)), target[0] != word[0], target)
                best = key if best is None or key < best else best
        return best[-1] if best else None

    def _canon_uncached(self, word: str) -> str:
        """Canonical form of a lower-case token: spelling fix, leet, fuzzy, lemma."""
        if word in self._spelling:
            return self._spelling[word]
        if self._is_known(word):
            return self._lemma(word)
        letters = sum(c.isalpha() for c in word)
        if letters and not word.isalpha():
            leet = word.translate(self._leet)
            if len(leet) >= self._fuzzy_min and letters >= 2 and leet.isalpha():
                target = leet if leet in self._targets else self._fuzzy_lookup(leet)
                if target:
                    return self._canon(target)
            return self._lemma(word)
        if not letters:
            return word
        squeezed = _REPEAT_RE.sub(r"\1\1", word)
        if squeezed != word:
            single = _REPEAT_RE.sub(r"\1", word)
            for candidate in (squeezed, single):
                if candidate in self._spelling or self._is_known(candidate):
                    return self._canon(candidate)
            word = squeezed
        if word.endswith("in") and self._is_known(word + "g"):
            return self._canon(word + "g")
        hit = self._fuzzy_lookup(word)
        return self._canon(hit) if hit else self._lemma(word)

    def _phrase_tokens(self, phrase: str) -> List[str]:
        """Canonical tokens of a pattern phrase (a lone clitic such as "'m" stays one token)."""
        tokens: List[str] = []
        for word in clean_text(phrase).split():
            if word.startswith("'") and word.count("'") == 1 and word[1:].isalpha():
                tokens.append(word)
            else:
                tokens.extend(t.text for t in self._nlp.make_doc(word))
        return [self._canon(t) for t in tokens]

    def _slot(self, part: str) -> List[List[Token]]:
        """Compile one pattern slot into alternative token sequences (see `merge_phrases`)."""
        optional = part.endswith("?") and len(part) > 1
        part = part[:-1] if optional else part
        token_phrases: List[Tuple[str, ...]] = []
        exact: Set[str] = set()
        variants: List[List[Token]] = []
        for alt in part.split("|"):
            if alt.startswith("@"):
                if alt[1:] not in self._lexicon:
                    raise ValueError(f"unknown lexicon class {alt!r}")
                phrases = self._lexicon[alt[1:]]
            elif alt.startswith("="):
                exact.add(alt[1:])
                continue
            elif alt in ("#YEAR", "#MANY"):
                variants.append([dict(_YEAR if alt == "#YEAR" else _MANY)])
                continue
            else:
                phrases = [alt.replace("_", " ")]
            for phrase in phrases:
                if phrase.startswith("="):
                    exact.add(phrase[1:])
                    continue
                token_phrases.append(tuple(self._phrase_tokens(phrase)))
        for positions in merge_phrases(token_phrases):
            variants.append([{"NORM": {"IN": sorted(p)}} for p in positions])
        if exact:
            variants.append([{"LOWER": {"IN": sorted(exact)}}])
        if optional:
            if len(variants) == 1 and len(variants[0]) == 1:
                return [[{**variants[0][0], "OP": "?"}]]
            variants.append([])
        return variants

    def _compile(self, pattern: str) -> Tuple[List[List[Token]], bool]:
        """Compile one pattern string into Matcher patterns and its end-of-clause flag."""
        parts = pattern.split()
        at_end = bool(parts) and parts[-1] == "$"
        parts = parts[:-1] if at_end else parts
        slots: List[List[List[Token]]] = []
        for part in parts:
            if part.startswith("*") and part[1:].isdigit():
                slots.append([[dict(_WILDCARD) for _ in range(int(part[1:]))]])
            else:
                slots.append(self._slot(part))
        total = 1
        for slot in slots:
            total *= len(slot)
        if total > _MAX_VARIANTS:
            raise ValueError(f"pattern expands to {total} variants: {pattern!r}")
        compiled = []
        for combo in itertools.product(*slots):
            tokens = [tok for seq in combo for tok in seq]
            if any(tok.get("OP") != "?" for tok in tokens):
                compiled.append(tokens)
        return compiled, at_end

    def _add(self, kind: str, name: str, patterns: Sequence[str]) -> None:
        """Register patterns for a rule, safe context or marker list, grouped by anchor word."""
        for pattern in patterns:
            compiled, at_end = self._compile(str(pattern))
            key = f"{kind}|{name}|{int(at_end)}"
            self._keys[self._nlp.vocab.strings.add(key)] = (kind, name, at_end)
            for tokens in compiled:
                anchor = self._anchor(tokens)
                group = (key,) + anchor if anchor else (key, "", frozenset())
                matcher = self._groups.get(group)
                if matcher is None:
                    matcher = self._groups[group] = Matcher(self._nlp.vocab, validate=False)
                    entry = (matcher, kind == "rule")
                    if anchor:
                        for value in anchor[1]:
                            self._anchor_index.setdefault((anchor[0], value), []).append(entry)
                    else:
                        self._always.append(entry)
                matcher.add(key, [tokens])
                self._reach[matcher] = max(self._reach.get(matcher, 0), len(tokens))

    def _anchor(self, tokens: List[Token]) -> Optional[Tuple[str, FrozenSet[str]]]:
        """The rarest required token of a pattern: its words must occur for a match.

        Matchers only run on sentences holding their anchor word, which keeps
        `check` fast although spaCy's Matcher tries every pattern at every token.
        """
        best: Optional[Tuple[Tuple[bool, int, int], str, FrozenSet[str]]] = None
        for token in tokens:
            if "OP" in token:
                continue
            for attr in ("NORM", "LOWER"):
                spec = token.get(attr)
                if spec is None:
                    continue
                values = frozenset([spec] if isinstance(spec, str) else spec["IN"])
                stop = sum(v in STOP_WORDS for v in values)
                score = (stop == len(values), stop, len(values))
                if best is None or score < best[0]:
                    best = (score, attr, values)
        return (best[1], best[2]) if best else None

    # --------------------------------------------------------------- checking

    def _layout(self, doc: Doc) -> _Layout:
        """Find sentence and clause boundaries (punctuation, line breaks, conjunctions)."""
        sent_of: List[int] = []
        clause_of: List[int] = []
        sent_bounds: List[Bounds] = []
        clause_bounds: List[Bounds] = []
        sent_start = clause_start = 0
        for i, token in enumerate(doc):
            sent_of.append(len(sent_bounds))
            clause_of.append(len(clause_bounds))
            ends_sentence = bool(_SENTENCE_END_RE.match(token.text)) or (token.is_space and "\n" in token.text)
            ends_clause = ends_sentence or token.is_punct or token.norm_ in self._clause_words
            if ends_clause:
                clause_bounds.append((clause_start, i + 1))
                clause_start = i + 1
            if ends_sentence:
                sent_bounds.append((sent_start, i + 1))
                sent_start = i + 1
        clause_bounds.append((clause_start, len(doc)))
        sent_bounds.append((sent_start, len(doc)))
        return _Layout(sent_of, clause_of, sent_bounds, clause_bounds)

    def _is_break(self, doc: Doc, i: int) -> bool:
        """True if token i ends a clause."""
        token = doc[i]
        return token.is_punct or token.norm_ in self._clause_words or (token.is_space and "\n" in token.text)

    def _is_negator(self, doc: Doc, i: int, sent_start: int) -> bool:
        """True if token i negates what follows ("no" only mid-clause, as in "no thoughts of")."""
        norm = doc[i].norm_
        if norm not in self._negators:
            return False
        if norm == "no":
            if i == sent_start or self._is_break(doc, i - 1):
                return False
            if i + 1 >= len(doc) or doc[i + 1].is_punct:
                return False
        return True

    def _negated(self, doc: Doc, start: int, end: int, mode: str, sent_start: int) -> bool:
        """True if the match is negated ("I'm not suicidal", "he has never hit me")."""
        if mode == "none":
            return False
        for i in range(start, end):
            if self._is_negator(doc, i, sent_start) and not self._has_breaker(doc, i + 1, end):
                return True
        if mode == "inside":
            return False
        seen = 0
        for i in range(start - 1, sent_start - 1, -1):
            if seen >= self._negation_window or self._is_break(doc, i):
                return False
            if self._is_negator(doc, i, sent_start):
                return not self._has_breaker(doc, i + 1, start) and not self._negator_cancelled(doc, i, sent_start)
            seen += 0 if doc[i].is_space else 1
        return False

    def _negator_cancelled(self, doc: Doc, negator: int, sent_start: int) -> bool:
        """True if an earlier negated breaker takes the negator back: "I can't PROMISE I won't ..."."""
        seen = 0
        for i in range(negator - 1, sent_start - 1, -1):
            if seen >= self._negation_window or self._is_break(doc, i):
                return False
            if self._is_negator(doc, i, sent_start):
                return self._has_breaker(doc, i + 1, negator)
            seen += 0 if doc[i].is_space else 1
        return False

    def _has_breaker(self, doc: Doc, start: int, end: int) -> bool:
        """True if a word such as "stop" or "know" takes over a negator in [start, end)."""
        return any(doc[i].norm_ in self._breakers for i in range(start, end))

    def _has_past(self, doc: Doc, start: int, end: int) -> bool:
        """True if a past-tense verb occurs in doc[start:end]."""
        for token in doc[start:end]:
            lower = token.lower_
            if lower in self._past_forms or token.norm_ in self._past_forms:
                return True
            if lower.endswith("ed") and token.norm_ != lower:
                return True
        return False

    def _historical(self, doc: Doc, start: int, end: int, layout: _Layout, marks: Marks) -> bool:
        """True if the match is explicitly past and over ("years ago", "clean for 3 years")."""
        s0, s1 = layout.sent_bounds[layout.sent_of[start]]
        c0 = layout.clause_bounds[layout.clause_of[start]][0]
        c1 = layout.clause_bounds[layout.clause_of[end - 1]][1]

        def marked(kind: str, lo: int, hi: int) -> bool:
            return any(lo <= a and b <= hi for a, b in marks.get(kind, ()))

        if marked("recent_markers", s0, s1) or marked("recent_clause_markers", c0, c1):
            return False
        if marked("recovery_markers", c0, c1):
            return True
        return marked("history_markers", s0, s1) and self._has_past(doc, c0, c1)

    def _generic(self, doc: Doc, start: int, layout: _Layout) -> bool:
        """True if the match is about people in general or a question about the service."""
        s0, s1 = layout.sent_bounds[layout.sent_of[start]]
        seen = 0
        for i in range(start - 1, s0 - 1, -1):
            norm = doc[i].norm_
            if seen >= self._generic_window or norm in self._first_person:
                break
            if norm in self._generic_markers:
                # "anyone else feel suicidal?" includes the writer
                return i + 1 >= len(doc) or doc[i + 1].norm_ != "else"
            seen += 0 if doc[i].is_space else 1
        norms = [t.norm_ for t in doc[s0:s1] if not t.is_space]
        if not norms or any(n in self._first_person for n in norms):
            return False
        is_question = "?" in norms or norms[0] in self._question_starts
        return is_question and any(n in self._service_words for n in norms)

    def _at_end(self, doc: Doc, end: int, layout: _Layout) -> bool:
        """True if nothing but fillers, punctuation or emoji follows before the clause ends."""
        s1 = layout.sent_bounds[layout.sent_of[end - 1]][1]
        for token in doc[end:s1]:
            if token.is_space or token.norm_ in self._fillers:
                continue
            if token.is_punct or not any(c.isalnum() for c in token.text):
                return True
            return token.norm_ in self._clause_words
        return True

    def _match(self, doc: Doc, layout: _Layout) -> List[Match]:
        """Run each matcher only in windows around its anchor words.

        A match holds its anchor and is at most `reach` tokens long, so the
        window anchor +/- reach (clipped to the sentence) finds every match.
        Safe-context and marker matchers only run in sentences where a crisis
        rule matched, so ordinary long text costs little.
        """
        rules: Dict[int, Dict[Matcher, List[int]]] = {}
        contexts: Dict[int, Dict[Matcher, List[int]]] = {}
        for i, token in enumerate(doc):
            sent_id = layout.sent_of[i]
            for key in (("NORM", token.norm_), ("LOWER", token.lower_)):
                for matcher, is_rule in self._anchor_index.get(key, ()):
                    (rules if is_rule else contexts).setdefault(sent_id, {}).setdefault(matcher, []).append(i)
        always_rules = [m for m, is_rule in self._always if is_rule]
        always_contexts = [m for m, is_rule in self._always if not is_rule]
        sent_ids = range(len(layout.sent_bounds)) if always_rules else sorted(rules)
        matches: List[Match] = []
        for sent_id in sent_ids:
            bounds = layout.sent_bounds[sent_id]
            found = self._run(doc, bounds, rules.get(sent_id, {}), always_rules)
            if found:
                found.extend(self._run(doc, bounds, contexts.get(sent_id, {}), always_contexts))
                matches.extend(found)
        return matches

    def _run(self, doc: Doc, bounds: Bounds, anchored: Dict[Matcher, List[int]], whole: List[Matcher]) -> List[Match]:
        """Matches of `anchored` matchers near their anchors and `whole` ones anywhere in bounds."""
        s0, s1 = bounds
        found: List[Match] = []
        for matcher in whole:
            found.extend((key, s0 + a, s0 + b) for key, a, b in matcher(doc[s0:s1]))
        for matcher, positions in anchored.items():
            reach = self._reach[matcher]
            windows: List[List[int]] = []
            for i in positions:
                lo, hi = max(s0, i - reach + 1), min(s1, i + reach)
                if windows and lo <= windows[-1][1]:
                    windows[-1][1] = hi
                else:
                    windows.append([lo, hi])
            for lo, hi in windows:
                found.extend((key, lo + a, lo + b) for key, a, b in matcher(doc[lo:hi]))
        return found

    def _check_doc(self, doc: Doc) -> Tuple[Optional[Tuple[int, _Rule]], bool]:
        """The most urgent surviving rule match in `doc` with its priority, and whether a match was set aside."""
        for token in doc:
            token.norm_ = self._canon(token.lower_)
        layout = self._layout(doc)
        matches = self._match(doc, layout)
        if not matches:
            return None, False
        marks: Marks = {}
        crisis: List[Tuple[str, int, int, bool]] = []
        for match_id, start, end in matches:
            kind, name, at_end = self._keys[match_id]
            if kind == "rule":
                crisis.append((name, start, end, at_end))
            else:
                marks.setdefault(kind, []).append((start, end))
        best: Optional[Tuple[int, int, _Rule]] = None
        set_aside = False
        for name, start, end, at_end in crisis:
            rule = self._rules[name]
            rank = (self._priority[rule.category], start)
            if best is not None and rank >= best[:2]:
                continue
            # A pattern that must end its clause but does not is no match at all.
            if at_end and not self._at_end(doc, end, layout):
                continue
            if self._explained_by_context(doc, start, end, rule, layout, marks):
                set_aside = True
                continue
            best = (rank[0], rank[1], rule)
        return ((best[0], best[2]) if best else None), set_aside

    def _explained_by_context(self, doc: Doc, start: int, end: int, rule: _Rule, layout: _Layout, marks: Marks) -> bool:
        """True if a crisis match is an idiom, negated, over and past, or about people in general."""
        if any(start < b and a < end for a, b in marks.get("safe", [])):
            return True
        sent_start = layout.sent_bounds[layout.sent_of[start]][0]
        if self._negated(doc, start, end, rule.negation, sent_start):
            return True
        if rule.past_ok and self._historical(doc, start, end, layout, marks):
            return True
        return rule.generic_ok and self._generic(doc, start, layout)
