"""Catalog pages: list and search groups; admins edit, deactivate and import through the importers.

Edits go through the same validation (`bot.catalog.records.validate`) and upsert
(`bot.catalog.store.upsert_groups`) as imports. An import is parsed completely
before anything is stored and then stored in one transaction, so a bad file
changes nothing; the importer's message names the line or meeting at fault.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import List, Mapping, Optional, Tuple
from urllib.parse import urlencode

import aiohttp_jinja2
import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.orm import Session

from bot.catalog.records import GroupRecord, RecordError, validate
from bot.catalog.store import ImportCounts, record_of, upsert_groups
from bot.cli import parse_records
from bot.console.access import admin_only
from bot.console.audit import record_audit
from bot.console.client_info import client_ip
from bot.console.clock import utcnow
from bot.console.errors import ConsoleError
from bot.console.paging import Page, fetch_page, parse_page
from bot.console.request_state import signed_in_staff
from bot.console.storage import in_transaction
from bot.models import ACCESSIBILITY, APPROACHES, CONCERNS, FORMATS, LEADERS, WEEKDAYS, Group, GroupConcern

routes = web.RouteTableDef()

PAGE_SIZE = 50
MAX_SEARCH = 100
STATES = ("active", "inactive", "all")
IMPORT_FORMATS = {"meeting-guide": "Meeting Guide JSON feed", "csv": "CSV (the project's layout)"}
NOT_FOUND = "There is no group with this number."
GROUP_ID = r"{group_id:\d+}"
# Free-text fields of the edit form and their column limits.
TEXT_LIMITS = {
    "name": 200, "description": 5000, "address": 300, "city": 120, "postcode": 20, "online_instructions": 2000,
    "cost": 80, "contact": 200,
}
CHOICE_FIELDS = {"leader": LEADERS, "approach": APPROACHES, "format": FORMATS}


class GroupMissing(LookupError):
    """The group was not found (perhaps never existed)."""


# ---------------------------------------------------------------- list and search

@dataclass(frozen=True)
class CatalogFilters:
    """What the list is narrowed to; every value is checked before it reaches a query."""

    search: str = ""
    concern: str = ""
    format: str = ""
    state: str = "all"
    page: int = 1

    def query_string(self, page: int) -> str:
        """The filters as a query string, for pagination links."""
        fields = {"q": self.search, "concern": self.concern, "format": self.format, "state": self.state}
        return urlencode({**{k: v for k, v in fields.items() if v}, "page": page})


def parse_catalog_filters(query: Mapping[str, str]) -> Tuple[CatalogFilters, List[str]]:
    """The filters from a query string, and a sentence for each value that was ignored."""
    problems: List[str] = []

    def choice(name: str, allowed, default: str = "") -> str:
        value = query.get(name, "").strip()
        if value and value not in allowed:
            problems.append(f"“{value[:40]}” is not a {name} the catalog knows; that filter was ignored.")
            return default
        return value or default

    search = " ".join(query.get("q", "").split())
    if len(search) > MAX_SEARCH:
        problems.append(f"The search was cut to {MAX_SEARCH} characters.")
        search = search[:MAX_SEARCH]
    page, page_problem = parse_page(query.get("page", ""))
    problems += [page_problem] if page_problem else []
    return CatalogFilters(search, choice("concern", CONCERNS), choice("format", FORMATS),
                          choice("state", STATES, "all"), page), problems


@dataclass(frozen=True)
class GroupRow:
    """One group as the list shows it."""

    id: int
    slug: str
    name: str
    concerns: Tuple[str, ...]
    format: str
    leader: str
    place: str
    active: bool


def _conditions(filters: CatalogFilters) -> List[sa.sql.ColumnElement]:
    where: List[sa.sql.ColumnElement] = []
    if filters.search:
        needle = filters.search.lower()
        where.append(sa.or_(*(
            sa.func.lower(column).contains(needle, autoescape=True)
            for column in (Group.name, Group.slug, Group.city, Group.postcode)
        )))
    if filters.concern:
        where.append(Group.concern_rows.any(GroupConcern.value == filters.concern))
    if filters.format:
        where.append(Group.format == filters.format)
    if filters.state != "all":
        where.append(Group.active.is_(filters.state == "active"))
    return where


def _group_row(group: Group) -> GroupRow:
    return GroupRow(group.id, group.slug, group.name, tuple(group.concerns), group.format, group.leader,
                    group.city or ("online" if group.format == "online" else ""), group.active)


def catalog_page(session: Session, filters: CatalogFilters) -> Page[GroupRow]:
    """One page of the groups that match, by name."""
    query = sa.select(Group).where(*_conditions(filters)).order_by(Group.name, Group.id)
    return fetch_page(session, query, filters.page, PAGE_SIZE, _group_row)


# ---------------------------------------------------------------- one group

def load_group(session: Session, group_id: int) -> Tuple[int, GroupRecord]:
    """(id, record) of the group; GroupMissing when there is none."""
    group = session.get(Group, group_id)
    if group is None:
        raise GroupMissing(group_id)
    return group.id, record_of(group)


def _text(form: Mapping[str, str], name: str) -> str:
    value = str(form.get(name, "")).strip()
    if len(value) > TEXT_LIMITS[name]:
        raise RecordError(f"{name.replace('_', ' ')} can be at most {TEXT_LIMITS[name]} characters")
    return value


def _checked(form, name: str, allowed) -> Tuple[str, ...]:
    values = tuple(str(value) for value in form.getall(name, []))
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise RecordError(f"{name} {unknown[0]!r} is not one of {', '.join(allowed)}")
    return values


def _size(raw: str) -> Optional[int]:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise RecordError(f"typical size must be a whole number, not {raw[:20]!r}")
    return int(raw)


def _country(raw: str) -> str:
    code = raw.strip().upper()
    if code and (len(code) != 2 or not code.isalpha()):
        raise RecordError(f"country must be a two-letter code like GB, not {raw[:20]!r}")
    return code


def _languages(raw: str) -> Tuple[str, ...]:
    languages = tuple(part.strip().lower() for part in raw.replace(";", ",").split(",") if part.strip())
    return languages or ("en",)


def edited_record(current: GroupRecord, form, today: dt.date) -> GroupRecord:
    """The record with the edit form's basic fields applied and validated; RecordError says what is wrong."""
    for name, allowed in CHOICE_FIELDS.items():
        if str(form.get(name, "")) not in allowed:
            raise RecordError(f"{name} must be one of {', '.join(allowed)}")
    record = dataclasses.replace(
        current,
        **{name: _text(form, name) for name in TEXT_LIMITS},
        **{name: str(form.get(name)) for name in CHOICE_FIELDS},
        concerns=_checked(form, "concerns", CONCERNS),
        accessibility=_checked(form, "accessibility", ACCESSIBILITY),
        languages=_languages(str(form.get("languages", ""))),
        country=_country(str(form.get("country", ""))),
        typical_size=_size(str(form.get("typical_size", ""))),
        observers_welcome=form.get("observers_welcome") == "yes",
        newcomers_welcome=form.get("newcomers_welcome") == "yes",
        last_updated=today,
    )
    return validate(record)


def save_edit(session: Session, group_id: int, form, today: dt.date) -> None:
    """Apply the edit form to the group (the caller owns the transaction)."""
    _, current = load_group(session, group_id)
    upsert_groups(session, [edited_record(current, form, today)])


def set_active(session: Session, group_id: int, active: bool) -> None:
    """Deactivate (never offered to anyone) or reactivate a group."""
    group = session.get(Group, group_id)
    if group is None:
        raise GroupMissing(group_id)
    group.active = active


# ---------------------------------------------------------------- import

@dataclass(frozen=True)
class ImportRequest:
    """A checked upload: the file's text, its format and (for Meeting Guide) the concern it serves."""

    text: str
    format: str
    concern: str


def check_upload(form) -> ImportRequest:
    """The upload form, checked; RecordError with a plain sentence otherwise."""
    kind = str(form.get("format", ""))
    if kind not in IMPORT_FORMATS:
        raise RecordError("choose the file's format: Meeting Guide JSON or CSV")
    concern = str(form.get("concern", "")) or "alcohol"
    if concern not in CONCERNS:
        raise RecordError(f"the concern must be one of {', '.join(CONCERNS)}")
    upload = form.get("file")
    if not isinstance(upload, web.FileField) or not upload.filename:
        raise RecordError("choose a file to upload")
    try:
        text = upload.file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RecordError("the file is not UTF-8 text") from None
    if not text.strip():
        raise RecordError("the file is empty")
    return ImportRequest(text, kind, concern)


# ---------------------------------------------------------------- handlers

def _group_id(request: web.Request) -> int:
    return int(request.match_info["group_id"])


async def _group(request: web.Request) -> Tuple[int, GroupRecord]:
    try:
        return await in_transaction(request, lambda session: load_group(session, _group_id(request)))
    except GroupMissing:
        raise ConsoleError(404, NOT_FOUND) from None


async def _audited(request: web.Request, action: str, target: str, change) -> object:
    """Run `change(session)` and its audit entry in one transaction; its result."""
    actor, ip = signed_in_staff(request).email, client_ip(request)

    def work(session: Session):
        result = change(session)
        record_audit(session, actor, action, target, ip)
        return result

    return await in_transaction(request, work)


@routes.get("/catalog", name="catalog")
async def catalog(request: web.Request) -> web.Response:
    """The groups, searched and filtered, a page at a time."""
    filters, problems = parse_catalog_filters(request.query)
    page = await in_transaction(request, lambda session: catalog_page(session, filters))
    context = {
        "filters": filters, "problems": problems, "page": page, "concerns": CONCERNS, "formats": FORMATS,
        "states": STATES,
    }
    return aiohttp_jinja2.render_template("catalog_list.html", request, context, status=400 if problems else 200)


@routes.get(f"/catalog/{GROUP_ID}", name="catalog_group")
async def group_page(request: web.Request) -> web.Response:
    """One group with every field and its meetings."""
    group_id, record = await _group(request)
    context = {"group_id": group_id, "group": record, "weekdays": WEEKDAYS,
               "done": request.query.get("done", "")}
    return aiohttp_jinja2.render_template("catalog_group.html", request, context)


def _render_edit(request: web.Request, group_id: int, record: GroupRecord, form=None, error: str = "",
                 status: int = 200) -> web.Response:
    context = {
        "group_id": group_id, "group": record, "form": form, "error": error, "concerns": CONCERNS,
        "accessibility": ACCESSIBILITY, "choices": CHOICE_FIELDS, "limits": TEXT_LIMITS,
    }
    return aiohttp_jinja2.render_template("catalog_edit.html", request, context, status=status)


@routes.get(f"/catalog/{GROUP_ID}/edit", name="catalog_edit")
@admin_only
async def edit_form(request: web.Request) -> web.Response:
    """The edit form for a group's basic fields."""
    group_id, record = await _group(request)
    return _render_edit(request, group_id, record)


@routes.post(f"/catalog/{GROUP_ID}/edit", name="catalog_save")
@admin_only
async def save(request: web.Request) -> web.Response:
    """Save the edit; a refused edit shows the form again with what was typed and why."""
    form = await request.post()
    group_id = _group_id(request)
    try:
        await _audited(request, "catalog_edit", f"group:{group_id}",
                       lambda session: save_edit(session, group_id, form, utcnow().date()))
    except GroupMissing:
        raise ConsoleError(404, NOT_FOUND) from None
    except RecordError as problem:
        _, record = await _group(request)
        return _render_edit(request, group_id, record, form, f"Not saved: {problem}.", status=400)
    raise web.HTTPSeeOther(f"/catalog/{group_id}?done=saved")


@routes.post(f"/catalog/{GROUP_ID}/active", name="catalog_active")
@admin_only
async def activate(request: web.Request) -> web.Response:
    """Deactivate or reactivate a group."""
    choice = str((await request.post()).get("active", ""))
    if choice not in ("yes", "no"):
        raise ConsoleError(400, "Say whether the group should be active (yes or no).")
    group_id, active = _group_id(request), choice == "yes"
    try:
        await _audited(request, "catalog_reactivate" if active else "catalog_deactivate", f"group:{group_id}",
                       lambda session: set_active(session, group_id, active))
    except GroupMissing:
        raise ConsoleError(404, NOT_FOUND) from None
    raise web.HTTPSeeOther(f"/catalog/{group_id}?done={'reactivated' if active else 'deactivated'}")


def _render_import(request: web.Request, form=None, error: str = "", counts: Optional[ImportCounts] = None,
                   status: int = 200) -> web.Response:
    context = {
        "formats": IMPORT_FORMATS, "concerns": CONCERNS, "error": error, "counts": counts,
        "chosen_format": str(form.get("format", "meeting-guide")) if form else "meeting-guide",
        "chosen_concern": str(form.get("concern", "alcohol")) if form else "alcohol",
    }
    return aiohttp_jinja2.render_template("catalog_import.html", request, context, status=status)


@routes.get("/catalog/import", name="catalog_import")
@admin_only
async def import_form(request: web.Request) -> web.Response:
    """The upload form."""
    return _render_import(request)


@routes.post("/catalog/import", name="catalog_upload")
@admin_only
async def upload(request: web.Request) -> web.Response:
    """Import a Meeting Guide or CSV file: all of it, or nothing with the reason."""
    form = await request.post()
    try:
        checked = check_upload(form)
        records = await asyncio.to_thread(parse_records, checked.format, checked.text, checked.concern)
        counts = await _audited(request, "catalog_import", f"catalog ({len(records)} groups)",
                                lambda session: upsert_groups(session, records))
    except RecordError as problem:
        return _render_import(request, form, f"Nothing was imported: {problem}.", status=400)
    return _render_import(request, form, counts=counts)
