"""`GET /webhooks/status/`: is the assistant ready, without enabling Rasa's full HTTP API.

Anyone gets only `{"ready": true|false}` (a health check for a proxy or monitor). With
`Authorization: Bearer <settings.status_token()>` an operator also sees the loaded model, the
spaCy pipeline it was trained with (read from the model itself), and the state of the content:
topics served, files with errors, answers past their review date and regional facts still to
fill in. No conversation data is exposed either way.

`GET /webhooks/status/availability?region=<id>`: is a person of the steunpunt reachable now
(issue 25, live chat), for the widget's status line: `{"open", "staff", "now",
"next_opening", "text"}` (library/availability.py) from the region's opening hours and how
many staff members are available (store/presence.py). No names or counts of staff, no
personal data; an unknown region gets the default region, as everywhere.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from datetime import date
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request

from channels.limits import QuietRootBlueprint
from library import ContentLibrary, shared, unfilled_facts
from library.availability import availability
from library.parse import HOURS_TEXT
from steunpunt import clock, regions, settings
from store import presence
from store.db import engine_for

LIBRARY = shared()


def spacy_pipeline_of(model_metadata: Any) -> Optional[Dict[str, Any]]:
    """The spaCy pipeline recorded in the trained model (SpacyNLP's `model` setting)."""
    schema = getattr(model_metadata, "predict_schema", None)
    for node in getattr(schema, "nodes", {}).values():
        if getattr(node.uses, "__name__", "") == "SpacyNLP":
            model = node.config.get("model")
            return {"model": model, "description": describe_spacy_model(model)}
    return None


def describe_spacy_model(model: str) -> str:
    """Name and version of a spaCy pipeline, from its meta.json (a package or a folder)."""
    try:
        import spacy.util

        path = Path(model)
        if not path.is_dir() and spacy.util.is_package(model):
            path = spacy.util.get_package_path(model)
        meta = json.loads((path / "meta.json").read_text()) if path.is_dir() else {}
    except (OSError, ValueError):
        meta = {}
    if not meta:
        return f"{model} (not installed here)"
    return f"{meta.get('lang')}_{meta.get('name')} {meta.get('version')}: {meta.get('description', '')}"


def content_status(library: ContentLibrary, today: date) -> Dict[str, Any]:
    topics = library.topics()
    return {
        "topics": len(topics),
        "errors": library.errors(),
        "overdue": sorted(t.id for t in topics.values() if t.is_overdue(today)),
        "facts_unfilled": unfilled_facts(library.facts()),
        "regions": {
            region: {
                "topics": len(library.topics(region)),
                "facts_unfilled": unfilled_facts(library.facts(region)),
            }
            for region in library.regions()
        },
    }


def region_availability(library: ContentLibrary, region: str) -> Dict[str, Any]:
    """Availability of a person now in this (resolved) region."""
    staff = presence.available_staff(engine_for(settings.DATABASE_URL), region, clock.now())
    sentence = library.facts(region).get(HOURS_TEXT, "")
    if sentence.startswith("["):  # a placeholder still to fill in (unfilled_facts): say nothing of it
        sentence = ""
    return availability(library.hours(region), len(staff), clock.local_now(), sentence)


#: Anyone may ask, so one answer per region is reused for a few seconds
#: (settings.LIVE_AVAILABILITY_CACHE_SECONDS): a flood of requests costs no database query
#: each, and the widget asks at most once a minute anyway.
_answers: Dict[str, Tuple[float, Dict[str, Any]]] = {}


async def cached_availability(region: str) -> Dict[str, Any]:
    """region_availability, at most once per cache period per region, off the event loop
    (the presence query must not hold up the chat's other messages)."""
    moment = time.monotonic()
    kept = _answers.get(region)
    if kept is None or moment - kept[0] >= settings.LIVE_AVAILABILITY_CACHE_SECONDS:
        kept = (moment, await asyncio.to_thread(region_availability, LIBRARY, region))
        _answers[region] = kept
    return kept[1]


def cors_headers(request: Request) -> Dict[str, str]:
    """The site's own origins (and embedding sites, settings.SITE_ORIGINS) may read the answer."""
    origin = (request.headers.get("origin") or "").strip().rstrip("/")
    if origin and origin in settings.SITE_ORIGINS:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {"Vary": "Origin"}


class StatusInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "status"

    def blueprint(self, on_new_message) -> Blueprint:
        # Registering it also makes `/` say only "ok", not Rasa's name and version.
        status = QuietRootBlueprint("status_webhook", __name__)

        @status.route("/", methods=["GET"])
        async def show(request: Request) -> response.HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            processor = getattr(agent, "processor", None) if agent else None
            ready = bool(agent and agent.is_ready())
            given = request.headers.get("authorization", "").encode("utf-8", "replace")
            if not hmac.compare_digest(given, f"Bearer {settings.status_token()}".encode()):
                return response.json({"ready": ready})
            body = {
                "ready": ready,
                "model": getattr(processor, "model_filename", None),
                "spacy_pipeline": spacy_pipeline_of(getattr(processor, "model_metadata", None)),
                "content": content_status(LIBRARY, clock.today()),
            }
            return response.json(body)

        @status.route("/availability", methods=["GET"])
        async def available(request: Request) -> response.HTTPResponse:
            region = regions.resolve(request.args.get("region"))
            return response.json(
                await cached_availability(region),
                headers={"Cache-Control": "no-store", **cors_headers(request)},
            )

        return status
