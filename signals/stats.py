"""What analysts read off the signals for a period: volume, outcomes, topics, audiences,
weekly trend, feedback per topic. Counts come from `SignalStore.counts`, so periods that
retention has already thinned out still add up.

A *question turn* is a turn where someone asked something: answered (answer), asked which
topic was meant (clarify), not answered (not understood, out of scope, content being checked)
or asked straight away for a person. Gem's three classes, as the field notes advise:
answered first time, after a clarifying question, not understood.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Dict, List, Optional, Tuple

from signals.period import Period
from signals.store import Count, SignalStore

ANSWERED, CLARIFIED, UNANSWERED, TO_PERSON = (
    "beantwoord",
    "verduidelijkt",
    "niet beantwoord",
    "direct naar medewerker",
)
CLASSES = (ANSWERED, CLARIFIED, UNANSWERED, TO_PERSON)
UNANSWERED_REASONS = ("not_understood", "out_of_scope", "being_checked", "not_in_region")

#: The channels a signal (or ticket) came in on, as analysts read and pick them.
CHANNEL_LABELS = {"socketio": "Website (chat)", "whatsapp": "WhatsApp", "rest": "REST/API"}

KIND_LABELS = {
    "answer": "antwoord",
    "clarify": "gevraagd welk onderwerp",
    "handoff_offer": "medewerker aangeboden",
    "handoff": "doorgezet naar medewerker",
    "ticket": "vraag aangemaakt",
    "declined": "aanbod afgeslagen",
    "feedback": "feedback",
    "input_rejected": "bericht geweigerd",
    "code_check": "code ingevoerd",
    "smalltalk": "begroeting of bedankje",
    "set_audience": "ouder/jongere gekozen",
    "prompt": "overig",
    "live_offer": "live chat aangeboden",
    "live_queued": "in de wachtrij voor live chat",
    "live_ended": "live chat beëindigd",
    "schools": "scholen gezocht",
}
REASON_LABELS = {
    "not_understood": "niet begrepen",
    "out_of_scope": "buiten het onderwerp",
    "being_checked": "inhoud wordt gecontroleerd",
    "not_in_region": "niet voor deze regio",
    "clarify_rejected": "geen van de onderwerpen",
    "chosen": "onderwerp gekozen",
    "rejected": "'iets anders' gekozen",
    "not_helpful": "hielp niet",
    "asked": "zelf gevraagd",
    "accepted_offer": "aanbod aangenomen",
    "positive": "ja, hielp",
    "negative": "nee, hielp niet",
    "empty": "leeg",
    "too_long": "te lang",
    "failed": "mislukt",
    "found": "gevonden",
    "not_found": "niet gevonden",
    "wait": "te vaak fout",
    "chose_ticket": "koos een vraag achterlaten",
    "live_timeout": "niemand vrij: vraag achtergelaten",
    "live_unavailable": "toch niemand vrij",
    "live_positive": "ja, gesprek hielp",
    "live_negative": "nee, gesprek hielp niet",
    "naam": "één school op naam",
    "alle": "alle scholen",
}


def question_class(count: Count) -> Optional[str]:
    if count.kind in ("answer", "schools"):  # a list of the region's schools answers too
        return ANSWERED
    if count.kind == "clarify":
        return CLARIFIED
    if count.kind == "handoff_offer" and count.reason in UNANSWERED_REASONS:
        return UNANSWERED
    if count.kind in ("handoff", "live_offer") and count.reason == "asked":
        return TO_PERSON  # with a person available now, asking for one is first a live offer
    return None


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class Overview:
    period: Period
    turns: int = 0
    questions: int = 0
    by_class: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)  # (kind, reason) -> n
    answers_by_topic: Counter = field(default_factory=Counter)
    unanswered_by_topic: Counter = field(default_factory=Counter)  # being checked, per topic
    by_audience: Counter = field(default_factory=Counter)  # question turns per audience
    by_channel: Counter = field(default_factory=Counter)  # question turns per channel
    #: Questions about the region's schools: (kind asked for, place or "") -> n. Where parents
    #: look for a place, never which school a child goes to (actions/schools.py).
    school_searches: Counter = field(default_factory=Counter)
    weekly: Dict[date, Counter] = field(default_factory=dict)
    feedback: Dict[str, Counter] = field(default_factory=dict)  # topic -> {positive, negative}
    handoffs: int = 0
    tickets: int = 0

    def share(self, name: str) -> float:
        return self.by_class[name] / self.questions if self.questions else 0.0

    def negative_feedback(self) -> List[Tuple[str, int, int]]:
        """(topic, negative, positive), most negative first."""
        rows = [(topic, c["negative"], c["positive"]) for topic, c in self.feedback.items() if c["negative"]]
        return sorted(rows, key=lambda r: (-r[1], r[0]))


def overview(store: SignalStore, period: Period) -> Overview:
    result = Overview(period=period)
    weeks: Dict[date, Counter] = defaultdict(Counter)
    week = monday(period.since)
    while week <= period.until:
        weeks[week] = Counter()
        week += timedelta(days=7)
    for count in store.counts(period.since, period.until):
        n = count.count
        result.turns += n
        result.by_kind[(count.kind, count.reason or "")] += n
        klass = question_class(count)
        if klass:
            result.questions += n
            result.by_class[klass] += n
            result.by_audience[count.audience or "onbekend"] += n
            result.by_channel[count.channel or "onbekend"] += n
            weeks[monday(count.day)][klass] += n
        if count.kind == "answer" and count.content_id:
            result.answers_by_topic[count.content_id] += n
        if count.kind == "handoff_offer" and count.reason == "being_checked" and count.content_id:
            result.unanswered_by_topic[count.content_id] += n
        if count.kind == "feedback" and count.content_id:
            result.feedback.setdefault(count.content_id, Counter())[count.reason] += n
        if count.kind == "schools":
            place = (count.content_id or "").removeprefix("plaats:")
            result.school_searches[(count.reason or "alle", place)] += n
        if count.kind == "handoff":
            result.handoffs += n
        if count.kind == "ticket" and count.reason != "failed":
            result.tickets += n
    result.weekly = dict(sorted(weeks.items()))
    return result


def trend_svg(result: Overview) -> str:
    """The weekly trend as an SVG line chart (matplotlib), readable without colour: each class
    has its own line style and marker, and the legend names them."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    weeks = list(result.weekly)
    figure, axes = plt.subplots(figsize=(7.5, 3.2), dpi=100)
    styles = {ANSWERED: ("-", "o"), CLARIFIED: ("--", "s"), UNANSWERED: (":", "^"), TO_PERSON: ("-.", "D")}
    for klass in CLASSES:
        line, marker = styles[klass]
        axes.plot(
            weeks,
            [result.weekly[w][klass] for w in weeks],
            linestyle=line,
            marker=marker,
            color="black",
            label=klass,
            linewidth=1.4,
            markersize=5,
        )
    axes.set_ylabel("vragen per week")
    axes.set_xlabel("week (maandag)")
    axes.set_xticks(weeks)
    axes.set_xticklabels([w.strftime("%d-%m") for w in weeks], rotation=45, ha="right", fontsize=8)
    axes.grid(axis="y", color="#bbbbbb", linewidth=0.6)
    axes.set_ylim(bottom=0)
    axes.legend(frameon=False, fontsize=8, ncol=2)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    return svg.replace("<svg ", '<svg role="img" aria-label="Vragen per week, per uitkomst" ', 1)
