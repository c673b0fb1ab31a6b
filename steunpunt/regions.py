"""Which region (samenwerkingsverband) a message belongs to: resolved once per turn.

A region is the default one (settings.DEFAULT_REGION, facts in content/regio.yml) or a folder
`content/regions/<region-id>/` with a `regio.yml`. The widget's `data-region` and the REST
body's `metadata.region` name it; a missing, malformed or unknown id gets the default region
and, when an id was given, a line in the log, never an error.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any, FrozenSet

from steunpunt import settings

log = logging.getLogger(__name__)

#: What a region id looks like: the one rule for folder names, metadata and URLs.
REGION_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_RECHECK_SECONDS = 5.0
_known: dict = {"at": float("-inf"), "dir": None, "ids": frozenset()}


def region_folders(regions_dir: Path) -> FrozenSet[str]:
    """Ids of the region folders that have a regio.yml (a folder without one is no region)."""
    try:
        return frozenset(
            path.name
            for path in Path(regions_dir).iterdir()
            if path.is_dir() and REGION_ID.fullmatch(path.name) and (path / "regio.yml").is_file()
        )
    except OSError:
        return frozenset()


def known_regions() -> FrozenSet[str]:
    """The default region and every region folder (re-listed every few seconds: a region
    added while the assistant runs is known without a restart)."""
    now = time.monotonic()
    if now - _known["at"] > _RECHECK_SECONDS or _known["dir"] != settings.REGIONS_DIR:
        _known.update(
            at=now,
            dir=settings.REGIONS_DIR,
            ids=region_folders(settings.REGIONS_DIR) | {settings.DEFAULT_REGION},
        )
    return _known["ids"]


def resolve(value: Any) -> str:
    """A known region id, else the default region (an unknown id given is logged)."""
    if isinstance(value, str) and REGION_ID.fullmatch(value) and value in known_regions():
        return value
    if value not in (None, ""):
        shown = value if isinstance(value, str) and REGION_ID.fullmatch(value) else "(ongeldig)"
        if shown not in _logged and len(_logged) < 1000:  # once per id: a wrong embed is one line
            _logged.add(shown)
            log.warning("unknown region %s: the default region %s is used", shown, settings.DEFAULT_REGION)
    return settings.DEFAULT_REGION


_logged: set = set()
