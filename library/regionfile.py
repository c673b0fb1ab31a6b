"""A region's facts as a form: which fields, how each is checked, and writing `regio.yml` back.

Why here, in the content domain: the facts file is content (the placeholders of every text,
and the opening hours of live chat), read by `read_region_file`. The staff app's page
"Regiogegevens" (staff/regiogegevens.py) shows these fields and saves through `save`; the
file stays the one source of truth, so the hot reload of every process (library/catalogue.py)
serves the new facts within CONTENT_RECHECK_SECONDS, as after an edit in the repository.

Writing keeps the file as people wrote it: each `name: value` line gets its new value in
place, comments and order stay, the `openingstijden` block is written anew where it was, a
field that is gone loses its line and a new one is added at the end. The new text is read
back with `read_region_file` before it replaces the old one, atomically (a temporary file in
the same folder, fsync, os.replace): a reader sees the old file or the new one, never half.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlparse

import yaml

from library.hours import CLOSED_KEY, WEEKDAYS, parse_hours
from library.model import ContentError
from library.parse import HOURS_KEY, HOURS_TEXT, read_region_file

#: The largest regio.yml the form reads or writes, and the longest value of one field.
MAX_FILE_BYTES = 32 * 1024
MAX_TEXT = 200
MAX_CLOSED_DAYS = 60
WHATSAPP_KEY = "whatsapp_phone_number_id"


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str  # "text", "phone", "email", "url", "digits"
    hint: str = ""
    required: bool = True


#: The form's fields in the file's order (the opening hours come after the e-mail address).
FIELDS: Tuple[Field, ...] = (
    Field("swv_naam", "Naam van het samenwerkingsverband", "text"),
    Field("swv_website", "Website van het samenwerkingsverband", "url", "begint met https://"),
    Field("swv_sector", "Sector", "text", "PO, VO, of PO en VO"),
    Field("steunpunt_naam", "Naam van het steunpunt", "text"),
    Field("steunpunt_telefoon", "Telefoonnummer van het steunpunt", "phone", "bijvoorbeeld 030 123 45 67"),
    Field("steunpunt_email", "E-mailadres van het steunpunt", "email"),
    Field("steunpunt_website", "Website van het steunpunt", "url", "begint met https://"),
    Field(
        "steunpunt_reactietijd",
        "Reactietijd",
        "text",
        "binnen hoeveel werkdagen het steunpunt reageert, bijvoorbeeld 'binnen 3 werkdagen'",
    ),
    Field(
        WHATSAPP_KEY,
        "WhatsApp: phone number id (voor later)",
        "digits",
        "het nummer-id uit WhatsApp Business; mag leeg blijven",
        required=False,
    ),
)
FIELD_KEYS = tuple(field.key for field in FIELDS)
CLOSED_FIELD = "gesloten"
#: The sentence of the opening hours, for a region that gives no hours per day.
SENTENCE_FIELD = HOURS_TEXT

_PHONE_CHARS = re.compile(r"^\+?[0-9 ()\-]+$")
_PHONE_NOTE = re.compile(r"^(.*?)\s*\(([^()]{1,40})\)$")  # "0000 000 000 (fictief nummer)"
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)
_DIGITS = re.compile(r"^[0-9]{5,20}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_DUTCH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:")


def unfilled(value: str) -> bool:
    """A value still showing its neutral text, like "[telefoonnummer]": allowed, reported."""
    return value.startswith("[") and value.endswith("]")


def check_phone(value: str) -> Optional[str]:
    """A Dutch phone number: 10 digits from a 0 (030 123 45 67, 06-12345678), +31 and 9 digits,
    or an 0800/0900 number; a short note in brackets after it is allowed. None when right."""
    number = value
    note = _PHONE_NOTE.match(value)
    if note and not note.group(1).endswith(("(", "+")):
        number = note.group(1)
    if not _PHONE_CHARS.match(number):
        return "Schrijf een telefoonnummer met cijfers, zoals 030 123 45 67."
    digits = re.sub(r"\D", "", number.replace("(0)", ""))
    if number.strip().startswith("+"):
        ok = digits.startswith("31") and len(digits) == 11
    elif digits.startswith(("0800", "0900", "0906", "0909")):
        ok = 8 <= len(digits) <= 11
    else:
        ok = digits.startswith("0") and len(digits) == 10
    return (
        None if ok else "Dit is geen Nederlands telefoonnummer (10 cijfers, zoals 030 123 45 67, of +31 ...)."
    )


def check_value(field: Field, value: str) -> Optional[str]:
    """What is wrong with one field's value (in Dutch, for next to the field), or None."""
    if not value:
        return "Vul dit veld in." if field.required else None
    if len(value) > MAX_TEXT:
        return f"Maximaal {MAX_TEXT} tekens."
    if _CONTROL.search(value) or "{" in value or "}" in value:
        return "Gebruik geen regeleinden of accolades { }."
    if unfilled(value) and field.required:
        return None  # still the neutral text: the checks report it as not yet filled in
    if field.kind == "phone":
        return check_phone(value)
    if field.kind == "email":
        return None if _EMAIL.match(value) and len(value) <= 254 else "Dit is geen e-mailadres."
    if field.kind == "url":
        parsed = urlparse(value)
        if parsed.scheme != "https" or not parsed.hostname or " " in value:
            return "Een adres dat begint met https://, zoals https://www.voorbeeld.nl."
        return None
    if field.kind == "digits":
        return None if _DIGITS.match(value) else "Alleen cijfers (5 tot 20)."
    return None


def parse_closed(text: str) -> Tuple[List[date], Optional[str]]:
    """Closed days as typed: dd-mm-jjjj (or 2026-12-25), separated by commas, spaces or lines."""
    days: List[date] = []
    for part in re.split(r"[,;\s]+", text.strip()):
        if not part:
            continue
        dutch = _DUTCH_DAY.match(part)
        try:
            day = (
                date(int(dutch.group(3)), int(dutch.group(2)), int(dutch.group(1)))
                if dutch
                else date.fromisoformat(part)
            )
        except ValueError:
            return [], f"'{part[:20]}' is geen datum (schrijf dd-mm-jjjj, bijvoorbeeld 25-12-2026)."
        if day not in days:
            days.append(day)
    if len(days) > MAX_CLOSED_DAYS:
        return [], f"Maximaal {MAX_CLOSED_DAYS} dagen."
    return sorted(days), None


@dataclass
class Checked:
    """A checked form: the facts to write (`data`, as in the file) or the problems per field."""

    data: Dict[str, Any]
    errors: Dict[str, str]


def check_form(form: Mapping[str, str]) -> Checked:
    """The form's values (field name -> text) checked; `data` is what regio.yml will hold:
    the facts, and `openingstijden` when any day has hours (else the sentence)."""
    errors: Dict[str, str] = {}
    data: Dict[str, Any] = {}
    for field in FIELDS:
        value = " ".join((form.get(field.key) or "").split())
        problem = check_value(field, value)
        if problem:
            errors[field.key] = problem
        elif value:
            data[field.key] = value
    hours: Dict[str, Any] = {}
    for day in WEEKDAYS:
        value = " ".join((form.get(day) or "").split())
        if not value:
            continue
        if len(value) > 60:
            errors[day] = "Maximaal 60 tekens."
            continue
        try:
            parse_hours({day: value})
            hours[day] = ", ".join(part.strip() for part in value.split(",") if part.strip())
        except ContentError as error:
            errors[day] = str(error).removeprefix("openingstijden: ").capitalize()
    closed, problem = parse_closed(form.get(CLOSED_FIELD) or "")
    if problem:
        errors[CLOSED_FIELD] = problem
    sentence = " ".join((form.get(SENTENCE_FIELD) or "").split())
    if hours:
        if closed:
            hours[CLOSED_KEY] = closed
        data[HOURS_KEY] = hours
    elif closed and not problem:
        errors[CLOSED_FIELD] = "Geef ook de openingstijden per dag; gesloten dagen horen daarbij."
    else:
        problem = check_value(Field(SENTENCE_FIELD, "", "text"), sentence)
        if problem:
            errors[SENTENCE_FIELD] = "Geef de openingstijden per dag, of hier als zin. " + problem
        else:
            data[SENTENCE_FIELD] = sentence
    return Checked(data=data, errors=errors)


def form_values(data: Mapping[str, Any]) -> Dict[str, str]:
    """A file's data (yaml) as the form shows it: one text per field."""
    values = {key: str(data.get(key, "")) for key in FIELD_KEYS}
    raw = data.get(HOURS_KEY)
    hours: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
    for weekday in WEEKDAYS:
        values[weekday] = str(hours.get(weekday) or "")
    closed = []
    for item in hours.get(CLOSED_KEY) or []:
        day = item if isinstance(item, date) else _iso(item)
        closed.append(day.strftime("%d-%m-%Y") if day else str(item))
    values[CLOSED_FIELD] = ", ".join(closed)
    values[SENTENCE_FIELD] = "" if hours else str(data.get(SENTENCE_FIELD, ""))
    return values


def _iso(text: Any) -> Optional[date]:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return None


# --- reading and writing the file ----------------------------------------------------------------
def read_raw(path: Path) -> Tuple[str, Dict[str, Any]]:
    """The file's text and its data; ContentError when it cannot be read or is too large."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ContentError(f"{path.name} is groter dan {MAX_FILE_BYTES // 1024} kB")
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(f"{path.name} kan niet gelezen worden: {error}") from None
    if not isinstance(data, dict):
        raise ContentError(f"{path.name} moet per regel 'naam: tekst' bevatten")
    return text, data


def version(text: str) -> str:
    """What the form remembers of the file it showed, to notice a save by someone else since."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> List[str]:
    """The names of the facts that differ (the opening hours count as one, `openingstijden`)."""
    names = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if key == HOURS_KEY and isinstance(old, dict) and isinstance(new, dict):
            old, new = _hours_key(old), _hours_key(new)
        if old != new:
            names.append(key)
    return names


def _hours_key(hours: Mapping[str, Any]) -> tuple:
    closed = sorted(str(item) for item in hours.get(CLOSED_KEY) or [])
    days = tuple((day, " ".join(str(hours.get(day) or "").split())) for day in WEEKDAYS)
    return days, tuple(closed)


def _quoted(value: Any) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's too)."""
    return json.dumps(str(value), ensure_ascii=False)


def _hours_lines(hours: Mapping[str, Any]) -> List[str]:
    lines = [f"{HOURS_KEY}:"]
    for day in WEEKDAYS:
        if hours.get(day):
            lines.append(f"  {day}: {_quoted(hours[day])}")
    closed = hours.get(CLOSED_KEY) or []
    if closed:
        lines.append(f"  {CLOSED_KEY}: [{', '.join(str(day) for day in closed)}]")
    return lines


def _value_lines(key: str, value: Any) -> List[str]:
    return _hours_lines(value) if key == HOURS_KEY else [f"{key}: {_quoted(value)}"]


def render_file(old_text: str, data: Mapping[str, Any]) -> str:
    """The file's text with `data` as its facts, its comments and order kept (see the module's
    text). A key line's block is that line and the indented lines after it."""
    lines = old_text.splitlines()
    out: List[str] = []
    written = set()
    index = 0
    while index < len(lines):
        line = lines[index]
        match = _KEY_LINE.match(line)
        if not match:
            out.append(line)
            index += 1
            continue
        key = match.group(1)
        index += 1
        while index < len(lines) and lines[index][:1] in (" ", "\t"):
            index += 1  # the old block's indented lines (hours, a folded value)
        target = key
        if key in (HOURS_KEY, SENTENCE_FIELD) and key not in data:  # hours <-> sentence, in place
            target = SENTENCE_FIELD if key == HOURS_KEY else HOURS_KEY
        if target in data and target not in written:
            out.extend(_value_lines(target, data[target]))
            written.add(target)
    for key, value in data.items():
        if key not in written:
            out.extend(_value_lines(key, value))
    return "\n".join(out) + "\n"


HEADER = (
    "# Regionale gegevens, opgeslagen met de pagina 'Regiogegevens' van de medewerkersomgeving.\n"
    "# De teksten gebruiken ze als plaatshouder, bijvoorbeeld {steunpunt_telefoon}.\n"
)


def new_text(old_text: str, data: Mapping[str, Any]) -> str:
    """The file's new text: edited in place, or written anew (with a header comment) when the
    edit would not read back as exactly `data` (a layout this editor does not know)."""
    text = render_file(old_text, data)
    if _loaded(text) == _loaded_data(data):
        return text
    return render_file(HEADER, data)


def _loaded(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _loaded_data(data: Mapping[str, Any]) -> Any:
    return yaml.safe_load(render_file("", data))


_write_lock = threading.Lock()


class Conflict(Exception):
    """The file changed since the form was shown: someone else saved in between."""


def save(path: Path, data: Mapping[str, Any], expected_version: Optional[str] = None) -> List[str]:
    """Write `data` as the facts of the region file `path`; returns the names of the changed
    facts (empty: nothing written). Raises Conflict when the file is no longer the version the
    form showed, ContentError when the result would not read as a region file."""
    with _write_lock:
        old_text, old_data = read_raw(path)
        if expected_version is not None and version(old_text) != expected_version:
            raise Conflict(path.name)
        kept = {key: value for key, value in old_data.items() if key not in _FORM_KEYS}
        merged = {**kept, **data}
        changed = changed_fields(old_data, merged)
        if not changed:
            return []
        text = new_text(old_text, merged)
        if len(text.encode("utf-8")) > MAX_FILE_BYTES:
            raise ContentError(f"{path.name} zou groter worden dan {MAX_FILE_BYTES // 1024} kB")
        write_atomically(path, text, check=read_region_file)
        return changed


#: The keys the form decides about; any other fact in the file (a custom placeholder) is kept.
_FORM_KEYS = frozenset(FIELD_KEYS) | {HOURS_KEY, SENTENCE_FIELD}


def write_atomically(path: Path, text: str, check=None) -> None:
    """Replace `path` by `text`: a temporary file in the same folder, written and fsynced, then
    os.replace (atomic on one file system); `check(temp_path)` may refuse it first by raising."""
    folder = path.parent
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.chmod(temp, path.stat().st_mode & 0o777)
        except OSError:
            os.chmod(temp, 0o644)
        if check is not None:
            check(temp)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    try:  # the rename itself survives a crash once the folder is synced
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError:
        pass
