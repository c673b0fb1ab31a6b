"""The periodic report for the samenwerkingsverband: one self-contained HTML file (no outside
files, no scripts) that prints cleanly to PDF. Built from the same figures as the analyst
view: `stats.overview`, `groups.unmet_groups`, the tickets' handling figures and the live
chats' figures (store/live.py `figures`: counts and durations, no text)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

from jinja2 import Environment, FileSystemLoader, select_autoescape

from signals.groups import Group, unmet_groups
from signals.period import Period
from signals.stats import CHANNEL_LABELS, CLASSES, KIND_LABELS, REASON_LABELS, Overview, overview, trend_svg
from signals.store import SignalStore
from steunpunt import clock
from store.live import LiveStore

TEMPLATES = Path(__file__).parent / "templates"
_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def template_globals() -> Dict:
    return {
        "classes": CLASSES,
        "kind_labels": KIND_LABELS,
        "reason_labels": REASON_LABELS,
        "channel_labels": CHANNEL_LABELS,
    }


def suggestions(result: Overview, groups: List[Group], decided: Dict[str, str]) -> List[str]:
    """Plain suggestions for new or better content, from the figures (most pressing first)."""
    advice = []
    for found in groups[:5]:
        if found.size < 3:
            continue
        topic = decided.get(found.label)
        if topic:
            advice.append(
                f"Voeg de {found.size} vragen over '{found.label}' als voorbeeldvragen toe "
                f"aan het onderwerp {topic} (na controle)."
            )
        else:
            advice.append(
                f"Overweeg een nieuw onderwerp: '{found.label}' ({found.size} vragen zonder antwoord)."
            )
    for topic, negative, positive in result.negative_feedback():
        if negative >= 2 and negative >= positive:
            advice.append(
                f"Verbeter de tekst van {topic}: {negative} keer 'had ik niets aan', {positive} keer wel."
            )
    # `being_checked` covers a topic past its review date and one whose file is missing or
    # broken (actions/outcome.py unservable_reason); the signal does not say which.
    for topic in sorted(result.unanswered_by_topic):
        advice.append(
            f"Controleer {topic}: deze werd niet getoond omdat de inhoud wordt nagekeken "
            "(controledatum voorbij, of het bestand ontbreekt of heeft een fout). Vergelijk de tekst "
            "met de bronnen en verleng de controledatum, of herstel het bestand "
            "(python -m library noemt de fout)."
        )
    if result.questions and result.share("verduidelijkt") > 0.15:
        advice.append(
            "Veel vragen moesten eerst verduidelijkt worden: voeg voorbeeldvragen toe "
            "voor de onderwerpen die vaak als keuze werden aangeboden."
        )
    return list(dict.fromkeys(advice))


def made() -> str:
    """When a report was made, as its reader says it: local time, "1 december 2026, 13:05"."""
    moment = clock.local_now()
    return f"{clock.dutch_date(moment.date())}, {moment:%H:%M}"


def region_label(regions) -> str:
    """Whom a report is about: every region (national) or the named ones."""
    return "alle regio's (landelijk)" if regions is None else "regio " + ", ".join(sorted(regions))


def channel_label(channel) -> str:
    """Which channel a report is about, so figures of WhatsApp alone are not read as the total."""
    return "alle kanalen" if channel is None else "kanaal " + CHANNEL_LABELS.get(channel, channel)


def live_figures(tickets, period: Period) -> Dict:
    """The live chats queued in the period, of the regions `tickets` is limited to: asked,
    answered by a person, timed out to a ticket, abandoned in the queue, the median wait
    (minutes:seconds) and the staff minutes."""
    figures = LiveStore(tickets, tickets.regions).figures(period.since, period.until)
    wait = figures["median_wait_seconds"]
    return {**figures, "median_wait": None if wait is None else clock.minutes_seconds(wait)}


def report_context(store: SignalStore, tickets, period: Period, regions=None, channel=None) -> Dict:
    """The figures of a period; `store` and `tickets` are already limited to `regions`
    (None: every region) and `channel` (None: every channel), which the report names."""
    result = overview(store, period)
    groups = unmet_groups(store, period)
    decided = {
        d["label"]: d["topic_id"]
        for d in store.decisions()
        if d["decision"] == "bestaand_onderwerp" and d["topic_id"]
    }
    return {
        "period": period,
        "overview": result,
        "groups": groups,
        "trend": trend_svg(result),
        "regions_label": region_label(regions),
        "channel_label": channel_label(channel),
        "handling": tickets.handling(period.since, period.until),
        "live": live_figures(tickets, period),
        "suggestions": suggestions(result, groups, decided),
        "made": made(),
        **template_globals(),
    }


def build_report(store: SignalStore, tickets, period: Period, regions=None, channel=None) -> str:
    context = report_context(store, tickets, period, regions, channel)
    return _environment.get_template("report.html").render(**context)
