"""Content helpers for tests."""

from __future__ import annotations

from typing import Optional

from library import ContentLibrary, Topic


def looked_up(library: ContentLibrary, topic_id: str, region: Optional[str] = None) -> Topic:
    """`library.lookup`, for a topic the test expects to be there: a missing or broken one
    fails the test at this line (an assert), not as an AttributeError on None further on."""
    topic = library.lookup(topic_id, region)
    assert topic is not None, f"no valid topic {topic_id!r} (region {region})"
    return topic
