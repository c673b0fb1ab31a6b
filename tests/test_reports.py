"""The evaluation tools' own logic (evaluation/): percentiles, threshold replay and choice, baselines."""

from pathlib import Path

from actions.outcome import Outcome
from evaluation.evaluate import classify, summarise
from evaluation.load_benchmark import Recorder, percentile, visitor_ids
from evaluation.systems import Ensemble, RetrievalBaseline, System, outcome_rows, summary as unseen_summary
from evaluation.tune_thresholds import choose, folds, replay


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50, 95, 99)
    assert percentile([7], 95) == 7 and percentile([], 50) is None


def test_recorder_summary_counts_errors_and_throughput():
    recorder = Recorder()
    recorder.latencies, recorder.errors = [0.010, 0.020, 0.030, 0.040], 1
    summary = recorder.summary(seconds=2.0)
    assert summary["messages"] == 4 and summary["errors"] == 1 and summary["throughput"] == 2.0
    assert summary["p50_ms"] == 20.0 and summary["p99_ms"] == 40.0


def row(expected, *ranking):
    return {"intent": expected, "ranking": [{"name": n, "confidence": c} for n, c in ranking]}


ROWS = [
    row("info_tlv_wat_is", ("info_tlv_wat_is", 0.9), ("info_opp_wat_is", 0.05)),
    row("info_tlv_wat_is", ("info_opp_wat_is", 0.5), ("info_tlv_wat_is", 0.4)),
    row("info_opp_wat_is", ("info_opp_wat_is", 0.6), ("info_tlv_wat_is", 0.1)),
    row("out_of_scope", ("info_opp_wat_is", 0.45), ("out_of_scope", 0.4)),
]


def test_replay_applies_threshold_and_ambiguity_like_the_fallback_classifier():
    loose = replay(ROWS, 0.3, 0.0)
    assert (loose["right"], loose["wrong"], loose["oos_answered"]) == (2 / 3, 1 / 3, 1.0)
    strict = replay(ROWS, 0.55, 0.2)
    assert (strict["right"], strict["wrong"], strict["oos_answered"]) == (2 / 3, 0.0, 0.0)


def test_choice_prefers_caution_near_the_best_and_safety_when_nothing_qualifies():
    curve = [
        {"threshold": t, "ambiguity": 0.1, "right": r, "wrong": w, "oos_answered": 0.0}
        for t, r, w in [(0.3, 0.95, 0.03), (0.4, 0.94, 0.015), (0.5, 0.93, 0.01), (0.6, 0.91, 0.005)]
    ]
    best, met = choose(curve)
    assert met and best["threshold"] == 0.5  # 0.6 is more than 2 points below 0.94
    unsafe = [dict(c, wrong=w) for c, w in zip(curve, (0.2, 0.15, 0.1, 0.05), strict=True)]
    best, met = choose(unsafe)
    assert not met and best["threshold"] == 0.6


def test_folds_are_stratified_and_cover_every_example():
    examples = [(f"t{i}", "a" if i % 3 else "b") for i in range(30)]
    parts = folds(examples, 5)
    assert sorted(e for part in parts for e in part) == sorted(examples)
    assert all(sum(1 for _, intent in part if intent == "b") == 2 for part in parts)


def test_outcomes_are_classified_from_the_users_point_of_view():
    assert classify("tlv-wat-is", Outcome("answer", content_id="tlv-wat-is")) == "right"
    assert classify("tlv-wat-is", Outcome("answer", content_id="opp-wat-is")) == "wrong"
    assert classify("tlv-wat-is", Outcome("clarify", candidates=("tlv-wat-is",))) == "clarify_right"
    assert classify("out_of_scope", Outcome("handoff_offer")) == "right"
    assert classify("out_of_scope", Outcome("answer", content_id="opp-wat-is")) == "wrong"
    rows = [
        {"expect": "x", "result": "right"},
        {"expect": "x", "result": "wrong"},
        {"expect": "out_of_scope", "result": "wrong"},
    ]
    summary = summarise(rows)
    assert summary["accuracy"] == 0.5 and summary["oos_answered_with_content"] == 1


def test_retrieval_baseline_ranks_the_nearest_topic_first_with_a_similarity():
    examples = [
        ("wat is een toelaatbaarheidsverklaring", "info_tlv_wat_is"),
        ("hoe laat begint school", "out_of_scope"),
    ]
    ranking, nothing = RetrievalBaseline()._rank(
        examples, ["wat is een toelaatbaarheidsverklaring precies", "zzzz qqqq"]
    )
    assert ranking[0]["name"] == "info_tlv_wat_is" and 0 < ranking[0]["confidence"] <= 1
    assert nothing[0]["confidence"] < 0.2


class FixedRankings(System):
    def __init__(self, *rankings):
        self.rankings = [[{"name": n, "confidence": c} for n, c in r] for r in rankings]

    def rank(self, examples, texts):
        return self.rankings


def test_the_geometric_ensemble_lets_one_members_doubt_weigh_more_than_the_mean():
    sure = FixedRankings([("a", 0.9), ("b", 0.1)], [("a", 0.6), ("b", 0.4)])
    doubts = FixedRankings([("a", 0.1), ("b", 0.9)], [("b", 0.7), ("c", 0.3)])
    mean = Ensemble("m", "m", [sure, doubts], [1.0, 1.0]).rank([], ["x", "y"])
    geo = Ensemble("g", "g", [sure, doubts], [1.0, 1.0], geometric=True).rank([], ["x", "y"])
    assert [e["confidence"] for e in mean[0]] == [0.5, 0.5]
    assert abs(geo[0][0]["confidence"] - 0.3) < 1e-9  # sqrt(0.9 * 0.1)
    # "a" is missing from the second member's list: the geometric mean floors it, the mean counts 0
    assert geo[1][0]["name"] == "b" and abs(geo[1][0]["confidence"] - (0.4 * 0.7) ** 0.5) < 1e-9
    assert next(e for e in geo[1] if e["name"] == "a")["confidence"] < 0.01
    assert next(e for e in mean[1] if e["name"] == "a")["confidence"] == 0.3


def test_unseen_outcomes_keep_new_topics_and_clarify_apart():
    questions = [
        {"text": "a", "expect": "tlv-wat-is"},
        {"text": "b", "expect": "tlv-wat-is"},
        {"text": "c", "expect": "pesten-veiligheid"},
        {"text": "d", "expect": "pesten-veiligheid"},
        {"text": "e", "expect": "out_of_scope"},
    ]
    rank = lambda *pairs: [{"name": n, "confidence": c} for n, c in pairs]  # noqa: E731
    rankings = [
        rank(("info_tlv_wat_is", 0.9), ("info_opp_wat_is", 0.05)),
        rank(("info_tlv_wat_is", 0.5), ("info_tlv_geldigheid", 0.4)),  # ambiguous: clarify
        rank(("info_opp_wat_is", 0.9), ("out_of_scope", 0.05)),  # new topic, answered
        rank(("info_opp_wat_is", 0.4), ("out_of_scope", 0.3)),  # new topic, kept out
        rank(("out_of_scope", 0.8), ("info_opp_wat_is", 0.1)),
    ]
    rows = outcome_rows(questions, rankings, 0.55, 0.2, {"info_tlv_wat_is", "info_opp_wat_is"})
    assert [r["result"] for r in rows] == ["right", "clarify_right", "wrong", "kept_out", "right"]
    s = unseen_summary(rows)
    assert (s["known"], s["new"], s["out_of_scope"]) == (2, 2, 1)
    assert (s["right"], s["clarify_right"], s["shown_or_one_click"], s["new_wrong"]) == (0.5, 0.5, 1.0, 0.5)
    assert s["oos_answered_n"] == 0


def test_soak_visitors_leave_after_their_turns_and_new_ones_take_their_place():
    from collections import Counter
    from itertools import islice

    ids = list(islice(visitor_ids("soak", slots=3, turns=2), 12))
    assert Counter(ids) == dict.fromkeys(set(ids), 2) and len(set(ids)) == 6
    assert ids[:3] == ["soak-0-0", "soak-1-0", "soak-2-0"] and ids[6] == "soak-0-1"
    assert set(islice(visitor_ids("long", slots=3), 30)) == {"long-0-0", "long-1-0", "long-2-0"}


def test_clarify_choice_takes_the_fewest_out_of_scope_buttons_near_the_best():
    from evaluation.tune_clarify import choose as choose_clarify

    def point(m, r, shown, oos):
        return {
            "min_confidence": m,
            "out_of_scope_ratio": r,
            "shown_or_one_click": shown,
            "oos_clarified": oos,
        }

    points = [
        point(0.2, 0.0, 0.84, 0.08),
        point(0.05, 0.0, 0.958, 0.49),
        point(0.05, 0.5, 0.955, 0.26),
        point(0.03, 0.5, 0.959, 0.27),
        point(0.05, 1.0, 0.946, 0.13),
    ]
    assert choose_clarify(points) == points[2]  # 0.946 is more than a point below the best
    assert choose_clarify([point(0.2, 0.0, 0.9, 0.1), point(0.1, 0.0, 0.9, 0.1)])["min_confidence"] == 0.2


def _rank(*pairs):
    return [{"name": n, "confidence": c} for n, c in pairs]


def test_leave_one_topic_out_counts_only_another_topics_content_as_wrong():
    from evaluation.leave_one_topic_out import judge

    runs = [
        {
            "topic": "mdo-wat-is",
            "questions": 2,
            "examples": 2,
            "rankings": [
                _rank(("info_mdo_voorbereiden", 0.9), ("out_of_scope", 0.05)),  # question: sibling answered
                _rank(("info_mdo_voorbereiden", 0.5), ("info_opp_wat_is", 0.4)),  # question: clarify, fine
                _rank(("out_of_scope", 0.9), ("info_mdo_voorbereiden", 0.05)),  # example: kept out
                _rank(("info_opp_wat_is", 0.8), ("out_of_scope", 0.1)),
            ],
        }
    ]  # example: wrong
    result = judge(runs, 0.6, 0.2)[0]
    assert (result["wrong"], result["examples_wrong"]) == (1, 1)
    assert result["answered_with"] == ["mdo-voorbereiden", "opp-wat-is"]
    assert judge(runs, 0.95, 0.2)[0]["wrong"] == 0


def test_trade_off_reports_every_threshold_and_whether_both_targets_meet():
    from evaluation.quality_report import meets, trade_off_section

    class Named:
        name = "fake"

    questions = [{"text": "a", "expect": "tlv-wat-is"}, {"text": "b", "expect": "out_of_scope"}]
    rankings = [
        _rank(("info_tlv_wat_is", 0.72), ("info_tlv_geldigheid", 0.1)),
        _rank(("out_of_scope", 0.9), ("info_tlv_wat_is", 0.05)),
    ]
    runs = [
        {
            "topic": "mdo-wat-is",
            "questions": 1,
            "examples": 0,
            "rankings": [_rank(("info_mdo_voorbereiden", 0.8), ("out_of_scope", 0.1))],
        }
    ]
    result = {
        "system": Named(),
        "points": {"cv": {"threshold": 0.6, "ambiguity": 0.2}},
        "loto": {"cv": ({}, [], False)},
        "sets": {("cv", "unseen"): ({}, [])},
        "unseen": (questions, rankings),
        "loto_runs": runs,
    }
    text = "\n".join(trade_off_section({"tfidf-lr": result}, "tfidf-lr"))
    # right up to 0.7 but the sibling answered up to 0.8: the two targets never meet together
    assert "| 0.6 (served) | 100.0% | 0.0% |" in text and "| 0.6 (served) |" in text
    assert "| 0.75 | 0.0% |" in text and "| 0.85 | 0.0% | 0.0% | 100.0% | 0 of 1 | 0.0% |" in text
    assert "at no threshold, for no system" in text
    runs[0]["rankings"] = [_rank(("info_mdo_voorbereiden", 0.65), ("out_of_scope", 0.1))]
    text = "\n".join(trade_off_section({"tfidf-lr": result}, "tfidf-lr"))
    assert "fake at 0.7" in text
    point = {"right": 0.97, "loto": 0.06, "wrong": 0.0, "oos_answered": 0.0}
    assert meets(point, "right", "wrong") and not meets(point, "right", "loto")


def test_answer_rules_score_loto_per_topic_and_pick_the_best_setting_under_a_level():
    from evaluation.answer_rules import best_under, gains, row, score

    r = lambda intent, *pairs, support=0.5: row(intent, _rank(*pairs), support)  # noqa: E731
    rows = {
        "cv": [
            r("info_tlv_wat_is", ("info_tlv_wat_is", 0.9), ("out_of_scope", 0.05)),
            r("info_tlv_wat_is", ("info_opp_wat_is", 0.7), ("info_tlv_wat_is", 0.2)),
            r("out_of_scope", ("out_of_scope", 0.8), ("info_tlv_wat_is", 0.1)),
        ],
        "loto": [
            {
                **r("info_mdo_wat_is", ("info_mdo_voorbereiden", 0.8), ("out_of_scope", 0.1), support=0.1),
                "topic": "mdo-wat-is",
            },
            {**r("info_privacy", ("info_steunpunt_wat_is", 0.4), ("out_of_scope", 0.3)), "topic": "privacy"},
        ],
    }
    plain = score(rows, lambda x: x["p1"] >= 0.6)
    assert (plain["right"], plain["wrong"], plain["oos_answered"], plain["loto"]) == (0.5, 0.5, 0.0, 0.5)
    supported = score(rows, lambda x: x["p1"] >= 0.6 and x["support"] >= 0.3)
    assert supported["loto"] == 0.0 and supported["right"] == 0.5
    points = {
        "a": {"right": 0.6, "wrong": 0.01, "oos_answered": 0.0, "loto": 0.04},
        "b": {"right": 0.7, "wrong": 0.01, "oos_answered": 0.0, "loto": 0.09},
        "c": {"right": 0.9, "wrong": 0.05, "oos_answered": 0.0, "loto": 0.02},
    }  # too many wrong
    assert best_under(points, 0.05)[0] == "a" and best_under(points, 0.10)[0] == "b"
    assert best_under(points, 0.01) is None
    gained = gains({"x": {**points["a"], "right": 0.62}}, {"a": points["a"]})
    assert abs(gained[0.05] - 0.02) < 1e-9 and set(gained) == {0.05, 0.075, 0.10}
    assert gains({"x": points["c"]}, {"a": points["a"]}) == {}


def test_a_change_replaces_the_served_classifier_only_on_training_data_figures():
    """Whether a change is served is decided by cross-validation and leave-one-topic-out on
    training examples; its figures on tests/unseen play no part."""
    from evaluation.quality_report import better_on_both

    def result(cv_right, loto_examples, unseen_right, unseen_loto):
        return {
            "points": {"cv": {"right": cv_right}},
            "sets": {("cv", "unseen"): ({"right": unseen_right}, [])},
            "loto": {"cv": ({"mean_examples_wrong": loto_examples, "mean_wrong": unseen_loto}, [], False)},
        }

    base = result(0.80, 0.10, 0.79, 0.10)
    assert not better_on_both(result(0.79, 0.10, 0.95, 0.01), base)  # far better on unseen only
    assert better_on_both(result(0.81, 0.10, 0.50, 0.50), base)  # better on training data
    assert better_on_both(result(0.80, 0.08, 0.79, 0.10), base)
    assert not better_on_both(result(0.82, 0.12, 0.79, 0.10), base)  # one better, one worse
    assert not better_on_both(result(0.80, 0.10, 0.90, 0.05), base)  # equal on training data


def test_live_latency_counts_what_was_lost_twice_out_of_order_or_in_the_wrong_chat():
    """evaluation/live_latency.py: each side must receive exactly the texts sent to it, in order."""
    from evaluation.live_latency import Sent, compare, windows

    sent = [Sent("een", 1.0), Sent("twee", 2.0), Sent("drie", 2.2)]
    found = compare(sent, [(1.1, "een"), (2.3, "drie"), (2.4, "twee"), (2.5, "twee"), (2.6, "vreemd")])
    assert [round(ms) for ms in found["latencies_ms"]] == [100, 400, 100]  # the first arrival counts
    assert (found["lost"], found["duplicated"], found["not_sent_here"]) == (0, 1, ["vreemd"])
    assert found["out_of_order"]
    clean = compare(sent, [(1.05, "een"), (2.1, "twee")])
    assert (clean["lost"], clean["duplicated"], clean["out_of_order"]) == (1, 0, False)
    # The JSON keeps the timeline in steps of 4 s: [start, messages, p50, max, lost].
    assert windows([(0, 0.5, 100.0), (1, 1.0, 300.0), (0, 4.2, None)]) == [
        [0, 2, 100.0, 300.0, 0],
        [4, 1, None, None, 1],
    ]


def test_a_frozen_set_is_reported_without_its_questions_and_a_set_of_only_out_of_scope_works():
    """evaluation.evaluate on tests/unseen lists no question (nobody tunes on its failures), and
    the near-domain set, out of scope only, is summed up without dividing by zero."""
    from evaluation.evaluate import ROOT, report

    rows = [
        {
            "text": "geheime vraag een",
            "expect": "out_of_scope",
            "result": "right",
            "outcome": "handoff_offer",
            "intent": "out_of_scope",
            "confidence": 0.9,
            "content_id": None,
            "candidates": [],
        },
        {
            "text": "geheime vraag twee",
            "expect": "out_of_scope",
            "result": "right",
            "outcome": "clarify",
            "intent": "nlu_fallback",
            "confidence": 0.4,
            "content_id": None,
            "candidates": ["opp-wat-is"],
        },
        {
            "text": "geheime vraag drie",
            "expect": "out_of_scope",
            "result": "wrong",
            "outcome": "answer",
            "intent": "info_opp_wat_is",
            "confidence": 0.8,
            "content_id": "opp-wat-is",
            "candidates": [],
        },
    ]
    summary = summarise(rows)
    assert summary["in_scope"] == 0 and summary["oos_answered_with_content"] == 1
    assert summary["oos_shown_topic_buttons"] == 1
    frozen = report(Path("m.tar.gz"), rows, ROOT / "tests" / "unseen" / "near-domain.yml")
    assert "1 of 3" in frozen and "geheime vraag" not in frozen and "frozen" in frozen
    leaked = report(Path("m.tar.gz"), rows, ROOT / "tests" / "heldout" / "questions.yml")
    assert "geheime vraag drie" in leaked
