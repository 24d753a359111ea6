"""Tests for the rule-based crisis safety net (bot/safety), no Rasa needed."""
from __future__ import annotations

import csv
import dataclasses
import itertools
import statistics
import time
from collections import Counter
from pathlib import Path

import pytest
import spacy
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.safety.detector import CATEGORIES, PATTERNS_PATH, SafetyNet, SafetyResult, merge_phrases

ROOT = Path(__file__).resolve().parents[1]
EVAL_CSV = ROOT / "eval" / "safety_messages.csv"
CRISIS_KINDS = {"direct", "indirect", "slang", "typo", "recent"}
SAFE_KINDS = {"idiom", "past_recovered", "bereavement_by_suicide", "question_about_groups", "negated", "ordinary"}


@pytest.fixture(scope="module")
def net() -> SafetyNet:
    """One detector for the whole module (building the matchers takes a second or two)."""
    return SafetyNet()


# --------------------------------------------------------------------------- crisis

CRISIS = {
    "suicidal": [
        "I want to kill myself",
        "I'm going to end my life",
        "thinking about suicide",
        "suicidal",
        "I want to die",
        "everyone would be better off without me",
        "I don't want to be here anymore",
        "no reason to live",
        "can't go on",
        "I want to disappear forever",
        "kms",
        "i want to unalive myself",
        "sewerslide",
        "end it all",
        "I'm going to say goodbye to everyone for good",
        "I wrote a note to my family",
        "I don't want to live anymore",
        "i want to kil myself",
        "im suicidle",
        "i want to kll myslef",
        "i want to k1ll myself",
        "I WANT TO DIE",
        "i wanna die fr",
        "I wish I'd never been born",
        "nobody would notice if i just stopped existing",
        "I've been stockpiling my meds because I want to end things",
        "I keep thinking everyone would be happier if I wasn't alive",
        "I went to the bridge earlier to jump",
        "I dont want to live without him",
        "I've been thinking of ways to die",
        "Tomorrow I won't be here",
        "Honestly death sounds peaceful right now",
        "There's no way out except death",
        "I'm going to hang myself",
    ],
    "self_harm": [
        "I've been cutting myself again",
        "I hurt myself",
        "I keep burning myself when I get overwhelmed",
        "self harm again",
        "selfharming again, i hate it",
        "i keep cuttng myself",
        "I cut my arms last night",
        "I cut tonight",
        "I carved into my arm again",
        "I keep punching walls until my knuckles bleed",
        "cutting is the only thing that helps",
    ],
    "overdose_medical": [
        "I took too many pills",
        "I think I overdosed",
        "i od'd about 20 mins ago",
        "I've taken a whole bottle of paracetamol",
        "I can't breathe",
        "I have really bad chest pain",
        "he's unconscious and won't wake up",
        "She's having a seizure what do I do",
        "I took pills an hour ago",
        "i swallowed like 40 pills",
        "I've swallowed a bottle of pills",
        "my dad is unconcious and wont wake up",
    ],
    "harm_others": [
        "I'm going to hurt him",
        "I want to kill my husband",
        "I might hurt my baby",
        "I'm going to shoot people at work",
        "I keep having thoughts about hurting my baby",
        "im gonna kil him",
        "I want to hurt my little brother",
        "I want to hurt the man who did this to me",
    ],
    "danger_now": [
        "he's hitting me right now",
        "my partner is going to kill me",
        "I'm scared he'll hurt me tonight",
        "I'm locked in and he has a knife",
        "I'm not safe at home",
        "hes hiting me",
        "He's got me locked in the house",
        "my husband is hitting the kids",
        "Someone broke into my house and they're still here",
        "my ex is trying to get into the flat",
    ],
}


@pytest.mark.parametrize(
    "category,text", [(c, t) for c, texts in CRISIS.items() for t in texts], ids=lambda v: str(v)[:40]
)
def test_crisis_messages_are_flagged_with_their_category(net, category, text):
    result = net.check(text)
    assert result.crisis, f"missed: {text!r}"
    assert result.category == category


@pytest.mark.parametrize(
    "text",
    [
        "I'm going to do it tonight, I've made up my mind. thank you for everything",
        "I'm done. Goodbye.",
    ],
)
@pytest.mark.xfail(strict=True, reason="known limitation: crisis meaning carried only by context")
def test_known_misses(net, text):
    assert net.check(text).crisis


# ------------------------------------------------------------------ hard negatives

SAFE = [
    # idioms
    "this commute is killing me",
    "my feet are killing me",
    "I'd kill for a coffee",
    "I nearly died laughing",
    "that exam killed me",
    "dying to meet people",
    "drop dead gorgeous",
    "I could murder a curry",
    "I was killing myself laughing at the quiz",
    "I overdosed on chocolate at Easter",
    "I nearly had a heart attack when I saw the price",
    "I want to die my hair purple lol",
    "My mum kills me with her nagging lol",
    "I cut myself shaving lol",
    "I'm cutting down on drinking",
    "I can't go on holiday this year",
    "I can't go on the Monday session, can I swap?",
    "I want to disappear for a weekend and go camping",
    "I want to take my life back after the abuse",
    # bereavement by suicide
    "my brother died by suicide last year, I need a bereavement group",
    "my mum killed herself when I was 12",
    "My dad committed suicide when I was a kid and it still affects me",
    "I lost my partner to suicide last spring",
    "I'd like to join a group about grief after suicide",
    "My daughter died of an overdose in 2020",
    # questions about groups
    "what do groups do if someone is suicidal?",
    "do you have groups for people affected by suicide?",
    "is there a suicide bereavement group?",
    "Do your groups talk about self-harm?",
    "Is there a support group for people who self harm near me?",
    "Do you offer training on what to do when someone overdoses?",
    # negated
    "I'm not suicidal",
    "I don't want to kill myself, I just want help with drinking",
    "I would never hurt myself",
    "I have no thoughts of harming myself or anyone else",
    "I'm not going to hurt anyone, I'm just really angry with my brother",
    "He has never hit me but he shouts a lot",
    "I can't stop... no wait, I'm fine, I'm not in any danger",
    # past and recovered
    "I used to self-harm but I've been clean for 3 years",
    "years ago I attempted suicide, now I want a group to stay well",
    "I was suicidal in 2019",
    "I had chest pains last year but the doctor said it was anxiety",
    "My ex used to threaten to kill me but that was a decade ago",
    # ordinary
    "I take a lot of medication for my back",
    "Hi, I'm looking for a group for people with anxiety",
    "My nanna died in March and I'd like a bereavement group",
    "We live nearby and sadly my widowed dad is lonely",
    "I'm a nurse and I deal with overdoses at work, I need a group for burnout",
    "how do i get into the building where my group meets",
]


@pytest.mark.parametrize("text", SAFE, ids=lambda v: v[:40])
def test_hard_negatives_are_not_flagged(net, text):
    result = net.check(text)
    assert not result.crisis, f"false alarm by {result.matched}: {text!r}"
    assert (result.category, result.matched) == (None, None)


@given(st.lists(st.lists(st.sampled_from("abcde"), min_size=1, max_size=3).map(tuple), max_size=12))
def test_merged_phrases_accept_exactly_the_phrases(phrases):
    groups = merge_phrases(phrases)
    accepted = {combo for group in groups for combo in itertools.product(*group)}
    assert accepted == set(phrases)


def test_phrases_differing_in_one_word_share_one_pattern():
    assert merge_phrases([("want", "to"), ("wish", "to"), ("want", "2")]) == [[{"want", "wish"}, {"to"}], [{"want"}, {"2"}]]


@pytest.mark.parametrize(
    "text,crisis",
    [
        # Words from two different phrases of one slot ("be here without", "keep doing this").
        ("not sure I'm doing this right", False),
        ("i don't want to keep up", False),
        ("i don't want to go up", False),
        # ...while the phrases themselves still flag.
        ("not sure i want to do this anymore", True),
        ("i don't want to be here anymore", True),
        ("i don't want to keep going", True),
    ],
)
def test_a_slot_accepts_its_phrases_not_mixtures_of_them(net, text, crisis):
    assert net.check(text).crisis is crisis


# ----------------------------------------------------------- negation and tense


@pytest.mark.parametrize(
    "negated,plain",
    [
        ("I'm not suicidal", "I'm suicidal"),
        ("I don't want to kill myself", "I want to kill myself"),
        ("I would never hurt myself", "I would hurt myself"),
        ("I'm not going to hurt him", "I'm going to hurt him"),
        ("I haven't self harmed in two years", "I self harmed again"),
    ],
)
def test_negation_cancels_only_the_negated_phrase(net, negated, plain):
    assert not net.check(negated).crisis
    assert net.check(negated).set_aside
    assert net.check(plain).crisis


def test_a_message_without_crisis_wording_is_not_set_aside(net):
    assert net.check("I'd like a group on Tuesday evenings") == SafetyResult(crisis=False)


@pytest.mark.parametrize(
    "text",
    [
        "I don't want to live anymore",
        "I don't want to be here anymore",
        "I can't go on",
        "I no longer want to be alive",
        "I can't stop thinking about killing myself",
        "No one knows I've been cutting myself",
        "If I don't go home he'll kill me",
        "I'm not coping I want to die",
        "no i want to die",
        "Anyone else feel suicidal all the time?",
        "In 2019 I was suicidal and I still am",
        "I can't promise I won't hurt myself",
        "I'm not sure I won't kill myself tonight",
        "i can't control my urge to hurt people",
    ],
)
def test_negation_that_is_part_of_the_crisis_phrase_still_flags(net, text):
    assert net.check(text).crisis


@pytest.mark.parametrize(
    "past,recent",
    [
        ("I attempted suicide in 2015, I'm doing well now", "I attempted suicide this morning"),
        ("years ago I tried to kill myself", "I tried to kill myself last night"),
        ("I overdosed when I was at uni, it's been ten years", "I took pills an hour ago"),
        ("I used to cut myself when I was younger", "I cut myself again today"),
        ("He used to hit me but I left him in 2018", "He hit me just now"),
    ],
)
def test_recovered_history_is_safe_but_recent_events_flag(net, past, recent):
    assert not net.check(past).crisis, past
    assert net.check(recent).crisis, recent


def test_undated_past_attempt_is_flagged_conservatively(net):
    assert net.check("I tried to kill myself").crisis


# ------------------------------------------------------------------ multi-sentence


@pytest.mark.parametrize(
    "text",
    [
        "I'm not suicidal. I just want to die.",
        "I don't want to kill myself.\nBut I keep cutting myself.",
        "I used to self harm years ago. Now I want to die.",
        "Is there a suicide bereavement group? Also I'm suicidal myself",
        "Hi. " * 50 + "I want to end my life. " + "Thanks for the help with the groups. " * 50,
    ],
)
def test_every_sentence_is_checked_on_its_own(net, text):
    assert net.check(text).crisis


def test_most_urgent_category_wins(net):
    result = net.check("I self harm sometimes. Right now he's hitting me.")
    assert result.category == "danger_now"


# -------------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "\x00\x01\x02\x1b[31m",
        "😀" * 500,
        "🙂🙃🫠👍🏽👨‍👩‍👧",
        "Je cherche un groupe de soutien près de chez moi",
        "Ich möchte eine Selbsthilfegruppe finden",
        "我想找一个支持小组",
        "مرحبا، أبحث عن مجموعة دعم",
        "a" * 20_000,
        "lorem ipsum " * 2_000,
        "\ud7ff\ue000\uffff",
    ],
    ids=[
        "empty", "whitespace", "control", "emoji", "emoji-zwj", "fr", "de", "zh", "ar",
        "20k-a", "20k-words", "edge-codepoints",
    ],
)
def test_odd_input_never_raises(net, text):
    result = net.check(text)
    assert isinstance(result, SafetyResult)
    assert not result.crisis


def test_crisis_in_the_middle_of_a_20k_message_is_found(net):
    filler = "We moved house last spring and the kids started a new school. " * 170
    text = filler + "I want to kill myself. " + filler
    assert len(text) > 20_000
    assert net.check(text).crisis


@pytest.mark.parametrize(
    "text",
    [
        "i want to kill myself 😭😭😭",
        "I w\u200bant to k\u200bill my\u00adself",
        "i\x00 want to die",
        "I want\u2019ll die".replace("\u2019ll", " to"),
        "ｉ ｗａｎｔ ｔｏ ｄｉｅ",
        "i want to kiiiiill myself",
        "I don\u2019t want to live anymore",
    ],
)
def test_unicode_tricks_do_not_hide_a_crisis(net, text):
    assert net.check(text).crisis


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_arbitrary_text_returns_a_well_formed_result(net, text):
    result = net.check(text)
    assert isinstance(result, SafetyResult)
    assert result.crisis == (result.category is not None) == (result.matched is not None)
    if result.crisis:
        assert result.category in CATEGORIES
        assert result.matched in net.rule_names


def test_matched_is_a_rule_name_never_the_users_text(net):
    secret = "Zqxjvbn Plumtree"
    result = net.check(f"I'm {secret} and I want to kill myself")
    assert result.matched in net.rule_names
    assert secret.lower() not in repr(result).lower()
    for row in _eval_rows():
        result = net.check(row["text"])
        assert result.matched is None or result.matched in net.rule_names


def test_result_is_frozen(net):
    result = net.check("I want to die")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.crisis = False  # type: ignore[misc]


def test_check_is_fast_for_a_typical_sentence(net):
    sentence = "Honestly I just want to die, I'm so tired of everything"
    for _ in range(20):
        net.check(sentence)
    timings = []
    for _ in range(200):
        start = time.perf_counter()
        net.check(sentence)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.002


def test_a_shared_pipeline_is_not_modified():
    shared = spacy.blank("en")
    shared.add_pipe("entity_ruler")
    detector = SafetyNet(nlp=shared)
    assert shared.pipe_names == ["entity_ruler"]
    assert detector.check("I want to kill myself").crisis


def test_a_lookup_lemmatizer_pipeline_can_be_reused():
    shared = spacy.blank("en")
    shared.add_pipe("lemmatizer", config={"mode": "lookup"})
    shared.initialize()
    detector = SafetyNet(nlp=shared)
    assert shared.pipe_names == ["lemmatizer"]
    assert detector.check("i want to kil myself").crisis
    assert not detector.check("my feet are killing me").crisis


# ------------------------------------------------------------------ pattern data


def test_pattern_data_is_consistent(net):
    data = yaml.safe_load(PATTERNS_PATH.read_text(encoding="utf-8"))
    names = [rule["name"] for rule in data["rules"]]
    assert len(names) == len(set(names))
    assert {rule["category"] for rule in data["rules"]} == set(CATEGORIES)
    assert set(data["priority"]) == set(CATEGORIES)
    assert net.rule_names == names


def test_negatable_rules_contain_no_negation(net):
    """A rule whose phrase contains "not"/"never"/"no" must say `negation: none`, or it cancels itself."""
    data = yaml.safe_load(PATTERNS_PATH.read_text(encoding="utf-8"))
    negating_classes = {"@NOT", "@DONT", "@CANT", "@WONT"}
    negators = set(data["negators"]) | {"n't", "no_one", "no_longer"}
    offenders = []
    for rule in data["rules"]:
        if rule.get("negation", "before") == "none":
            continue
        for pattern in rule["patterns"]:
            for part in pattern.split():
                alternatives = part.rstrip("?").split("|")
                words = {w for alt in alternatives for w in alt.split("_")}
                if words & negators or set(alternatives) & negating_classes:
                    offenders.append((rule["name"], pattern))
    assert not offenders


def test_unquoted_yaml_booleans_are_rejected(tmp_path):
    original = PATTERNS_PATH.read_text(encoding="utf-8")
    text = original.replace('negators: [not, never, "no",', "negators: [not, never, no,")
    assert text != original
    broken = tmp_path / "patterns.yml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="negators"):
        SafetyNet(patterns_path=broken)


# --------------------------------------------------------------- the quality gate


def _eval_rows() -> list:
    with EVAL_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_eval_set_is_well_formed():
    rows = _eval_rows()
    assert rows and list(rows[0]) == ["text", "label", "category", "kind"]
    crisis = [r for r in rows if r["label"] == "crisis"]
    safe = [r for r in rows if r["label"] == "safe"]
    assert len(crisis) + len(safe) == len(rows)
    assert len(crisis) >= 130 and len(safe) >= 130
    assert all(r["category"] in CATEGORIES and r["kind"] in CRISIS_KINDS for r in crisis)
    assert all(r["category"] == "" and r["kind"] in SAFE_KINDS for r in safe)
    per_category = Counter(r["category"] for r in crisis)
    assert set(per_category) == set(CATEGORIES)
    assert per_category["suicidal"] >= 50
    assert set(Counter(r["kind"] for r in safe)) == SAFE_KINDS
    assert len({r["text"] for r in rows}) == len(rows)


def test_quality_gate_full_recall_and_few_false_alarms(net):
    rows = _eval_rows()
    crisis = [r for r in rows if r["label"] == "crisis"]
    safe = [r for r in rows if r["label"] == "safe"]
    missed = [r["text"] for r in crisis if not net.check(r["text"]).crisis]
    false_alarms = [r["text"] for r in safe if net.check(r["text"]).crisis]
    assert not missed, f"recall {1 - len(missed) / len(crisis):.3f}; missed: {missed}"
    assert len(false_alarms) / len(safe) <= 0.05, f"false alarms: {false_alarms}"
