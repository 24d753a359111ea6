"""Find and mask personal data in free-text intake messages.

Kinds: email, url, phone, date_of_birth, address, postcode, name. When two
candidate spans overlap, the kind earlier in KINDS wins (then the longer span).

Decisions worth knowing (see eval/redaction_cases.jsonl for the labelled set):
- phone: a span needs 9+ digits; "possible" (not valid) numbers need 10+.
- postcode: for a US ZIP only the digits are redacted, not the state ("NY [postcode]").
- date_of_birth: only the date is redacted, and only with a birth cue nearby; a bare
  year ("born in 1985") and a sobriety/clean "birthday" are not birth dates.
- name: only the name tokens are redacted, never the cue. Identity words
  ("I'm Catholic", "I'm British", "I'm Christian") are treated as not names.
Known gaps: names without a cue ("Name: Jordan", sign-offs), 7-digit local numbers,
spelled-out emails ("sam at example dot com"), and addresses without a house number.
The module never logs or prints the text it is given.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Tuple

import phonenumbers

if TYPE_CHECKING:  # spaCy is imported lazily: importing this module stays cheap.
    from spacy.language import Language
    from spacy.matcher import Matcher

KINDS: Tuple[str, ...] = ("email", "url", "phone", "date_of_birth", "address", "postcode", "name")

PLACEHOLDERS: Mapping[str, str] = {
    "email": "[email]",
    "url": "[url]",
    "phone": "[phone]",
    "date_of_birth": "[date of birth]",
    "address": "[address]",
    "postcode": "[postcode]",
    "name": "[name]",
}

PHONE_REGIONS: Tuple[str, ...] = ("GB", "US", "CA", "AU", "IE")
MIN_PHONE_DIGITS = 9
MIN_POSSIBLE_PHONE_DIGITS = 10

STREET_SUFFIXES: Tuple[str, ...] = (
    "street", "st", "st.", "road", "rd", "rd.", "avenue", "ave", "ave.", "av", "lane", "ln",
    "drive", "dr", "dr.", "close", "way", "court", "ct", "place", "pl", "terrace", "ter",
    "crescent", "cres", "boulevard", "blvd", "grove", "gardens", "gdns", "row", "square",
    "sq", "hill", "park", "mews", "walk", "parade", "rise", "vale", "view", "green",
    "highway", "hwy", "parkway", "pkwy", "circle", "cir", "alley", "wharf", "quay", "yard",
)
UNIT_PREFIXES: Tuple[str, ...] = ("flat", "apt", "apt.", "apartment", "unit", "suite", "room")
# Words that follow a count ("3 miles", "12 steps") or join a clause, never a street name.
NON_STREET_WORDS: Tuple[str, ...] = (
    "a", "an", "and", "or", "but", "to", "of", "in", "on", "at", "for", "from", "with", "by",
    "into", "onto", "over", "under", "near", "round", "around", "about", "than", "then", "that",
    "this", "these", "those", "there", "here", "when", "where", "what", "which", "who", "how",
    "my", "your", "his", "her", "our", "their", "i", "me", "we", "you", "it", "is", "was",
    "are", "were", "be", "been", "have", "has", "had", "do", "did", "not", "no", "so", "very",
    "just", "every", "each", "per", "more", "less", "most", "some", "any", "all", "other",
    "years", "year", "yrs", "days", "day", "weeks", "week", "months", "month", "hours", "hour",
    "hrs", "minutes", "minute", "mins", "seconds", "times", "time", "miles", "mile", "km",
    "people", "kids", "children", "friends", "steps", "step", "units", "pints", "drinks",
    "bottles", "cans", "glasses", "meetings", "sessions", "stone", "pounds", "quid", "tablets",
    "pills", "mg", "relapses", "nights", "mornings", "evenings", "doors", "floors", "bus",
)
US_STATES: Tuple[str, ...] = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "PR",
)
URL_TLDS: Tuple[str, ...] = (
    "com", "org", "net", "edu", "gov", "info", "io", "co", "uk", "ie", "au", "ca", "us", "nz",
    "me", "app", "dev", "ly", "biz", "eu", "de", "fr", "es", "it", "nl", "in", "online", "site",
)
NAME_TITLES: Tuple[str, ...] = ("mr", "mrs", "ms", "miss", "mx", "dr", "prof")
# Capitalised words after "I'm"/"call me"/... that describe a state or identity, not a name.
NAME_STOP_WORDS: Tuple[str, ...] = (
    # function words and fillers
    "i", "i'm", "im", "i’m", "a", "an", "the", "and", "or", "but", "so", "not", "no", "yes",
    "in", "on", "at", "to", "from", "with", "for", "of", "by", "about", "just", "still",
    "also", "really", "very", "too", "quite", "now", "here", "there", "back", "out", "up",
    "down", "off", "over", "all", "only", "always", "never", "sometimes", "currently",
    "actually", "kind", "sort", "like", "literally", "honestly", "probably", "definitely",
    "gonna", "going", "trying", "getting", "feeling", "looking", "doing", "having", "being",
    "writing", "calling", "messaging", "wondering", "hoping", "thinking", "struggling",
    "starting", "reaching", "drinking", "using", "sober", "clean", "this", "that", "it", "me",
    "you", "my", "your", "he", "she", "they", "we", "what", "when", "who", "hi", "hello", "hey",
    "thanks", "please", "sorry", "well", "oh", "um", "ok", "okay", "fine", "good", "great",
    "alright", "aight", "cool", "lol",
    # feelings and states
    "anxious", "nervous", "scared", "afraid", "worried", "tired", "exhausted", "sad", "happy",
    "depressed", "lonely", "alone", "angry", "lost", "confused", "stuck", "done", "ready",
    "new", "late", "early", "better", "worse", "bad", "unwell", "ill", "sick",
    "desperate", "ashamed", "embarrassed", "overwhelmed", "stressed", "broke", "homeless",
    "pregnant", "married", "single", "divorced", "separated", "widowed", "retired",
    "unemployed", "employed", "busy", "free", "available", "away", "home", "sure", "unsure",
    "glad", "grateful", "thankful", "relieved", "excited", "interested", "curious",
    "recovering", "recovery", "addicted", "alcoholic", "addict", "bipolar", "autistic",
    "adhd", "dyslexic", "diabetic", "disabled", "deaf", "blind", "suicidal", "pansexual",
    "fed", "young", "old", "older", "younger", "awful", "terrible", "rubbish", "miserable",
    "numb", "calm", "safe", "unsafe", "hungover", "drunk", "high", "shaky",
    # identities (not names for this redactor; they are documented as not redacted)
    "catholic", "christian", "muslim", "jewish", "hindu", "sikh", "buddhist", "atheist",
    "agnostic", "protestant", "mormon", "british", "english", "irish", "scottish", "welsh",
    "american", "canadian", "australian", "european", "african", "asian", "polish",
    "indian", "pakistani", "nigerian", "black", "white", "brown", "mixed", "gay", "lesbian",
    "bi", "bisexual", "straight", "queer", "trans", "transgender", "nonbinary", "non-binary",
    "male", "female", "vegan", "vegetarian", "veteran",
    # time words (also "it's Monday here")
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
    "tonight", "tomorrow", "yesterday", "morning", "afternoon", "evening", "night",
    "january", "february", "march", "april", "june", "july", "august", "september",
    "october", "november", "december", "christmas", "easter", "weekend",
    # after "call me" ("call me back", "call me crazy")
    "later", "anytime", "asap", "maybe", "crazy", "sometime", "whenever", "pls", "plz",
    "again", "soon", "first", "tho", "though", "if",
)

_NAME_STOP = frozenset(NAME_STOP_WORDS)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:19|20)\d{2}|'?\d{2})"

EMAIL_RE = re.compile(
    r"(?<![\w.+%-])[A-Za-z0-9_](?:[A-Za-z0-9._%+'’-]*[A-Za-z0-9_%+-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)
URL_RE = re.compile(
    r"(?:\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]+)"
    r"|(?:(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:" + "|".join(URL_TLDS) + r")"
    r"(?![\w@-])(?:[/:?#][^\s<>\"'()\[\]{}]*)?)",
    re.IGNORECASE,
)
_TRAILING_PUNCT = ".,;:!?)]}'\"…"
COUNTRY_CODE_BEFORE_RE = re.compile(r"\+\d{1,3}[ .-]?$")
PHONE_LIKE_RE = re.compile(r"\+?\(?\d[\d \t\u00a0().-]{7,}\d")
WORD_TAIL_RE = re.compile(r"\S{0,40}$")
WORD_HEAD_RE = re.compile(r"\S{0,40}")
UK_POSTCODE_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?) ?(?P<inward>\d[ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
CA_POSTCODE_RE = re.compile(
    r"(?<![A-Za-z0-9])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d(?![A-Za-z0-9])",
    re.IGNORECASE,
)
US_ZIP_RE = re.compile(
    r"(?:(?<![A-Za-z])(?:" + "|".join(US_STATES) + r")|(?i:\bzip(?:\s*code)?(?:\s+is)?))"
    r"[\s,:#-]+(?P<zip>\d{5}(?:-\d{4})?)(?![\d-])"
)
DATE_RE = re.compile(
    r"(?<![\w/.-])(?:"
    r"\d{4}([/.-])\d{1,2}\1\d{1,2}"
    r"|\d{1,2}([/.-])\d{1,2}(?:\2(?:\d{4}|\d{2}))?"
    rf"|{_DAY}(?:\s+of)?\s+{_MONTH},?(?:\s+{_YEAR})?"
    rf"|{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?"
    rf"|{_MONTH}\s+(?:19|20)\d{{2}}"
    r")(?![\w/-]|\.\d)",
    re.IGNORECASE,
)
BIRTH_CUE_RE = re.compile(
    r"\b(?:born|d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birth\s*day|b['’]?day)(?:['’]s)?",
    re.IGNORECASE,
)
NOT_BIRTH_CUE_RE = re.compile(r"\b(?:sobriety|sober|clean|recovery|aa|na|step)\s+$", re.IGNORECASE)
CUE_GAP_RE = re.compile(r"^[\s:=,-]*(?:(?:is|was|on|the|of|in|my|at|it|as|be)\b[\s:=,-]*){0,4}$", re.IGNORECASE)
CUE_AFTER_RE = re.compile(
    r"^\s*(?:is|was|being|=|-|:)?\s*(?:my|his|her|their)?\s*"
    r"(?:d\.?o\.?b\b|date\s+of\s+birth|birth\s*date|birth\s*day|b['’]?day)",
    re.IGNORECASE,
)
_NAME_TOKEN = r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*"
STRONG_NAME_CUE_RE = re.compile(
    r"(?:\bname\s+is|\bname['’]?s|\b(?:call|calls|called)\s+me)"
    r"(?=\s*:?\s+[^\W\d_]|\s*:[^\W\d_])",
    re.IGNORECASE,
)
WEAK_NAME_CUE_RE = re.compile(
    r"(?<![\w'’])(?P<cue>i['’]?m|i\s+am|this\s+is|it['’]?s)(?=\s+[^\W\d_])", re.IGNORECASE
)
_NAME_WORD = rf"{_NAME_TOKEN}(?![\d_])"
NAME_TOKENS_RE = re.compile(
    rf"(?:\s*:\s*|\s+)(?P<t1>{_NAME_WORD})(?:[ \t]+(?P<t2>{_NAME_WORD}))?(?:[ \t]+(?P<t3>{_NAME_WORD}))?"
)


@dataclass(frozen=True, order=True)
class Span:
    """A half-open character range [start, end) of one kind of personal data."""

    start: int
    end: int
    kind: str


class Redactor:
    """Rule-based PII finder: regexes, phonenumbers and a spaCy Matcher for addresses."""

    def __init__(self) -> None:
        """Build the blank English pipeline and its address Matcher once."""
        import spacy
        from spacy.lang.en.stop_words import STOP_WORDS
        from spacy.matcher import Matcher

        self._nlp: "Language" = spacy.blank("en")
        self._matcher: "Matcher" = Matcher(self._nlp.vocab)
        self._matcher.add("ADDRESS", _address_patterns())
        self._lower_name_stop = frozenset(STOP_WORDS) | _NAME_STOP

    def find(self, text: str) -> List[Span]:
        """All non-overlapping PII spans in `text`, sorted by position."""
        if not text or not text.strip():
            return []
        candidates: List[Span] = []
        candidates += _emails(text)
        candidates += _urls(text)
        candidates += _phones(text)
        candidates += _dates_of_birth(text)
        candidates += self._addresses(text)
        candidates += _postcodes(text)
        candidates += self._names(text)
        return _resolve(candidates)

    def redact(self, text: str) -> str:
        """`text` with every span replaced by its kind's placeholder."""
        out = text
        for span in reversed(self.find(text)):
            out = out[: span.start] + PLACEHOLDERS[span.kind] + out[span.end :]
        return out

    def _addresses(self, text: str) -> List[Span]:
        """House number + street words + suffix, via the spaCy Matcher."""
        if not any(ch.isdigit() for ch in text):
            return []
        doc = self._nlp.make_doc(text)
        found = []
        for _, start, end in self._matcher(doc):
            span = doc[start:end]
            stop = span.end_char
            if span[-1].text.endswith("."):
                stop -= 1
            found.append(Span(span.start_char, stop, "address"))
        return found

    def _names(self, text: str) -> List[Span]:
        """Name tokens after an introduction cue ("my name is", "I'm", "call me", ...)."""
        found: List[Span] = []
        for cue in STRONG_NAME_CUE_RE.finditer(text):
            full_name = bool(re.search(r"name\s+is", cue.group(0), re.IGNORECASE))
            span = self._name_after(text, cue.end(), True, full_name, None)
            if span:
                found.append(span)
        for cue in WEAK_NAME_CUE_RE.finditer(text):
            word = cue.group("cue").lower()
            need = "speaking" if word.startswith("this") else "here" if word.startswith("it") else None
            span = self._name_after(text, cue.end(), False, False, need)
            if span:
                found.append(span)
        return found

    def _name_after(
        self, text: str, pos: int, allow_lower: bool, multi_lower: bool, need: Optional[str]
    ) -> Optional[Span]:
        """The 1-3 name tokens right after `pos` (lower case only if allowed), else None."""
        m = NAME_TOKENS_RE.match(text, pos)
        if not m:
            return None
        tokens = [(m.group(g), m.start(g), m.end(g)) for g in ("t1", "t2", "t3") if m.group(g)]
        if tokens and tokens[0][0].lower().rstrip(".") in NAME_TITLES and len(tokens) > 1:
            tokens = tokens[1:]
        first = tokens[0][0]
        lowered = first[0].islower()
        if lowered and not allow_lower:
            return None
        stop = self._lower_name_stop if lowered else _NAME_STOP
        if first.lower() in stop or _looks_like_state(first):
            return None
        kept = [tokens[0]]
        for tok, s, e in tokens[1:]:
            if tok.lower() in stop or _looks_like_state(tok):
                break
            if lowered and not (multi_lower and tok[0].islower()):
                break
            if not lowered and not tok[0].isupper():
                break
            kept.append((tok, s, e))
        if need is not None:
            tail = text[kept[-1][2] :].lstrip(" \t,")
            if not tail.lower().startswith(need):
                return None
        return Span(kept[0][1], kept[-1][2], "name")


def _looks_like_state(word: str) -> bool:
    """True for -ing words ("Struggling") that read as a state rather than a name."""
    return len(word) > 5 and word.lower().endswith("ing")


def _address_patterns() -> List[List[Dict[str, object]]]:
    """spaCy Matcher patterns for street addresses, with an optional flat/unit prefix."""
    number = {"TEXT": {"REGEX": r"^\d{1,5}[A-Za-z]?$"}}
    word = {
        "TEXT": {"REGEX": r"^(?:[A-Za-z][A-Za-z'’.-]*|['’]s|\d+(?:st|nd|rd|th))$"},
        "LOWER": {"NOT_IN": list(NON_STREET_WORDS) + ["the"]},
    }
    suffix = {"LOWER": {"IN": list(STREET_SUFFIXES)}}
    the = {"LOWER": "the"}
    unit = [
        {"LOWER": {"IN": list(UNIT_PREFIXES)}},
        {"TEXT": {"REGEX": r"^\d{1,4}[A-Za-z]?$"}},
        {"ORTH": ",", "OP": "?"},
    ]
    bodies = [
        [number, dict(word, OP="{1,4}"), suffix],
        [number, the, dict(word, OP="{0,3}"), suffix],
    ]
    return bodies + [unit + body for body in bodies]


def _emails(text: str) -> List[Span]:
    """Email addresses (plus-addressing, subdomains, any case)."""
    if "@" not in text:
        return []
    return [Span(m.start(), m.end(), "email") for m in EMAIL_RE.finditer(text)]


def _urls(text: str) -> List[Span]:
    """http(s) and www URLs, and bare domains with a known TLD."""
    if "." not in text:
        return []
    found = []
    for m in URL_RE.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in _TRAILING_PUNCT:
            end -= 1
        if end > m.start():
            found.append(Span(m.start(), end, "url"))
    return found


def _digit_count(text: str) -> int:
    """How many ASCII digits `text` holds."""
    return sum(ch.isdigit() for ch in text)


def _phones(text: str) -> List[Span]:
    """Phone numbers for GB/US/CA/AU/IE: valid ones, then possible ones of 10+ digits."""
    found: List[Span] = []
    for cand in PHONE_LIKE_RE.finditer(text):
        digits = _digit_count(cand.group())
        if digits < MIN_PHONE_DIGITS:
            continue
        # Widen to whole whitespace-delimited words so the matcher sees the number's edges.
        lo = cand.start() - len(WORD_TAIL_RE.search(text, 0, cand.start()).group())
        hi = cand.end() + len(WORD_HEAD_RE.match(text, cand.end()).group())
        spans = _phone_matches(text, lo, hi, phonenumbers.Leniency.VALID, MIN_PHONE_DIGITS, digits)
        if digits >= MIN_POSSIBLE_PHONE_DIGITS and _covered_digits(text, spans) < digits:
            spans += _phone_matches(
                text, lo, hi, phonenumbers.Leniency.POSSIBLE, MIN_POSSIBLE_PHONE_DIGITS, digits
            )
        found += spans
    return found


def _phone_matches(
    text: str, lo: int, hi: int, leniency: object, min_digits: int, want: int
) -> List[Span]:
    """PhoneNumberMatcher hits in text[lo:hi], region by region until `want` digits are covered."""
    window = text[lo:hi]
    international = window.lstrip("([").startswith(("+", "00"))
    regions = PHONE_REGIONS[:1] if international else PHONE_REGIONS  # "+44 ..." needs no region
    found: List[Span] = []
    for region in regions:
        for m in phonenumbers.PhoneNumberMatcher(window, region, leniency=leniency):
            if _digit_count(m.raw_string) >= min_digits and not DATE_RE.fullmatch(m.raw_string):
                found.append(_phone_span(text, lo + m.start, lo + m.end))
        if _covered_digits(text, found) >= want:
            break
    return found


def _covered_digits(text: str, spans: List[Span]) -> int:
    """Digits inside the non-overlapping union of `spans`."""
    return sum(_digit_count(text[s.start : s.end]) for s in _resolve(spans))


def _phone_span(text: str, start: int, end: int) -> Span:
    """A phone span with unbalanced outer parentheses dropped and a missed "+CC " prefix added."""
    raw = text[start:end]
    if raw.startswith("(") and ")" not in raw:
        start += 1
    if raw.endswith(")") and "(" not in raw:
        end -= 1
    prefix = COUNTRY_CODE_BEFORE_RE.search(text, max(0, start - 6), start)
    if prefix and not raw.startswith("+"):
        start = prefix.start()
    return Span(start, end, "phone")


def _dates_of_birth(text: str) -> List[Span]:
    """Dates with a birth cue ("born", "DOB", "date of birth", "birthday") just before or after."""
    cues = [c for c in BIRTH_CUE_RE.finditer(text) if not NOT_BIRTH_CUE_RE.search(text[: c.start()])]
    if not cues:
        return []
    found = []
    for d in DATE_RE.finditer(text):
        before = any(c.end() <= d.start() and CUE_GAP_RE.match(text[c.end() : d.start()]) for c in cues)
        after = bool(CUE_AFTER_RE.match(text[d.end() : d.end() + 40]))
        if before or after:
            found.append(Span(d.start(), d.end(), "date_of_birth"))
    return found


def _postcodes(text: str) -> List[Span]:
    """UK and Canadian postcodes, and US ZIPs after a state abbreviation or "zip"."""
    if not any(ch.isdigit() for ch in text):
        return []
    found = []
    for m in UK_POSTCODE_RE.finditer(text):
        inward = m.group("inward")
        if inward[1:].islower() and inward[1:] in ("st", "nd", "rd", "th"):
            continue  # "B12 3rd": an ordinal, not a postcode
        found.append(Span(m.start(), m.end(), "postcode"))
    found += [Span(m.start(), m.end(), "postcode") for m in CA_POSTCODE_RE.finditer(text)]
    found += [Span(m.start("zip"), m.end("zip"), "postcode") for m in US_ZIP_RE.finditer(text)]
    return found


def _resolve(candidates: Iterable[Span]) -> List[Span]:
    """Keep the highest-priority, then longest, span wherever candidates overlap."""
    rank = {kind: i for i, kind in enumerate(KINDS)}
    ordered = sorted(set(candidates), key=lambda s: (rank[s.kind], s.start - s.end, s.start))
    kept: List[Span] = []
    for span in ordered:
        if span.end > span.start and all(span.end <= k.start or k.end <= span.start for k in kept):
            kept.append(span)
    return sorted(kept)


@functools.lru_cache(maxsize=1)
def _shared() -> Redactor:
    """The lazily built Redactor shared by redact() and evaluate()."""
    return Redactor()


def redact(text: str) -> str:
    """`text` with its PII replaced by placeholders, using a shared Redactor."""
    return _shared().redact(text)


def evaluate(
    cases: Iterable[Mapping[str, Any]], redactor: Optional[Redactor] = None
) -> Dict[str, Dict[str, float]]:
    """Per-kind and overall precision, recall and support (exact (start, end, kind) match)."""
    r = redactor or _shared()
    tp: Dict[str, int] = {k: 0 for k in KINDS}
    fp: Dict[str, int] = {k: 0 for k in KINDS}
    fn: Dict[str, int] = {k: 0 for k in KINDS}
    for case in cases:
        gold = {(int(s["start"]), int(s["end"]), str(s["kind"])) for s in case["spans"]}
        pred = {(s.start, s.end, s.kind) for s in r.find(case["text"])}
        for _, _, kind in pred & gold:
            tp[kind] += 1
        for _, _, kind in pred - gold:
            fp[kind] += 1
        for _, _, kind in gold - pred:
            fn[kind] += 1
    report = {k: _scores(tp[k], fp[k], fn[k]) for k in KINDS}
    report["overall"] = _scores(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return report


def _scores(tp: int, fp: int, fn: int) -> Dict[str, float]:
    """Precision, recall and support from counts (1.0 when there is nothing to score)."""
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "support": float(tp + fn),
    }
