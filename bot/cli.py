"""The `intake` command line (see ../shared/intake-contract.md)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import List, Optional

import sqlalchemy as sa

from bot.catalog.records import RecordError
from bot.catalog.store import upsert_groups
from bot.channels.telegram_cli import add_telegram_commands
from bot.database import configured_database
from bot.matching import MatchRequest, RequestError, rank
from bot.models import Group
from bot.settings import SettingsError


class UsageError(Exception):
    """Bad input on the command line, explained in one sentence."""


def _read_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None


def parse_records(kind: str, text: str, concern: Optional[str]) -> list:
    """Records from a file of the given format; RecordError names the bad entry."""
    if kind == "csv":
        from bot.catalog.csv_format import read_csv

        return read_csv(text)
    from bot.catalog.meeting_guide import read_meeting_guide

    return read_meeting_guide(text, concern=concern or "alcohol")


def cmd_catalog_import(args) -> int:
    text = _read_file(args.file)
    try:
        records = parse_records(args.format, text, args.concern)
    except RecordError as error:
        raise UsageError(f"nothing imported: {error}") from None
    database = configured_database()
    with database.sessions() as session, session.begin():
        counts = upsert_groups(session, records)
    print(f"Imported {len(records)} groups: {counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged.")
    return 0


def cmd_catalog_list(args) -> int:
    database = configured_database()
    with database.sessions() as session:
        query = sa.select(Group).order_by(Group.slug)
        groups = [g for g in session.scalars(query) if not args.concern or args.concern in g.concerns]
        rows = [
            {"id": g.id, "slug": g.slug, "name": g.name, "concerns": g.concerns, "format": g.format,
             "leader": g.leader, "city": g.city, "active": g.active}
            for g in groups
        ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            state = "" if row["active"] else "  (inactive)"
            print(f"{row['slug']:<45} {','.join(row['concerns']):<28} {row['format']:<10} {row['city']}{state}")
        print(f"{len(rows)} groups")
    return 0


def cmd_recommend(args) -> int:
    try:
        request = MatchRequest(
            concern=args.concern, format=args.format, days=tuple(args.day or ()),
            time_of_day=args.time_of_day, language=args.language,
            accessibility=tuple(args.accessibility or ()), leader=args.leader,
            observe_first=args.observe_first, location=args.location, limit=args.limit,
        )
    except RequestError as error:
        raise UsageError(str(error)) from None
    result = rank(configured_database().catalog(), request)
    if args.json:
        print(json.dumps([m.as_dict() for m in result.matches], indent=2))
        for note in result.notes:
            print(f"note: {note}", file=sys.stderr)
    else:
        for note in result.notes:
            print(note)
        for position, match in enumerate(result.matches, start=1):
            print(f"{position}. {match.group.name} (score {match.score:.2f})")
            for reason in match.reasons:
                print(f"     - {reason}")
    return 0


def cmd_safety_check(args) -> int:
    from bot.safety.detector import SafetyNet

    result = SafetyNet().check(args.text)
    if args.json:
        print(json.dumps({"crisis": result.crisis, "category": result.category}))
    else:
        print(f"crisis: {'yes' if result.crisis else 'no'}" + (f" ({result.category})" if result.category else ""))
    return 0


def cmd_erase(args) -> int:
    from bot.erasure import erase_sender

    erased = erase_sender(configured_database().engine, args.sender)
    print(f"Erased {erased.events} conversation events and {erased.intake_records} intake records.")
    return 0


def cmd_purge(args) -> int:
    import datetime as dt

    from bot.erasure import purge_older_than

    if args.older_than < 1:
        raise UsageError("--older-than must be at least 1 day")
    erased = purge_older_than(configured_database().engine, args.older_than, dt.datetime.now(dt.timezone.utc))
    print(f"Purged {erased.events} conversation events and {erased.intake_records} intake records older than {args.older_than} days.")
    return 0


def _prompt_new_password() -> str:
    """Ask for the password twice without echoing it; UsageError when they differ or are weak."""
    import getpass

    from bot.console.passwords import PasswordError, check_new_password

    try:
        password = getpass.getpass("Password: ")
        repeated = getpass.getpass("Repeat the password: ")
    except (EOFError, KeyboardInterrupt):
        raise UsageError("no password was entered; nothing was created") from None
    if repeated != password:
        raise UsageError("the two passwords do not match; nothing was created")
    try:
        check_new_password(password)
    except PasswordError as error:
        raise UsageError(f"{error}; nothing was created") from None
    return password


def cmd_staff_add(args) -> int:
    from bot.console.staff_accounts import StaffAccountError, add_staff_member, check_new_account

    database = configured_database()
    try:
        with database.sessions() as session:  # refuse before asking for a password
            check_new_account(session, args.email, args.role)
        password = _prompt_new_password()
        with database.sessions() as session, session.begin():
            member = add_staff_member(session, args.email, args.role, password)
    except StaffAccountError as error:
        raise UsageError(f"{error}; nothing was created") from None
    print(f"Created the {member.role} account {member.email}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intake", description="Support-group intake assistant tools.")
    commands = parser.add_subparsers(dest="command", required=True)

    catalog = commands.add_parser("catalog", help="the group catalog").add_subparsers(dest="action", required=True)
    importer = catalog.add_parser("import", help="import groups from a file (upsert by slug)")
    importer.add_argument("--format", choices=["meeting-guide", "csv"], required=True)
    importer.add_argument("--concern", help="the concern a Meeting Guide feed serves (default alcohol)")
    importer.add_argument("file")
    importer.set_defaults(handler=cmd_catalog_import)
    lister = catalog.add_parser("list", help="list the groups")
    lister.add_argument("--concern")
    lister.add_argument("--json", action="store_true")
    lister.set_defaults(handler=cmd_catalog_list)

    recommend = commands.add_parser("recommend", help="rank groups for a request")
    recommend.add_argument("--concern", required=True)
    recommend.add_argument("--format")
    recommend.add_argument("--day", action="append")
    recommend.add_argument("--time-of-day")
    recommend.add_argument("--language")
    recommend.add_argument("--accessibility", action="append")
    recommend.add_argument("--leader")
    recommend.add_argument("--observe-first", action="store_true")
    recommend.add_argument("--location")
    recommend.add_argument("--limit", type=int, default=3)
    recommend.add_argument("--json", action="store_true")
    recommend.set_defaults(handler=cmd_recommend)

    safety = commands.add_parser("safety", help="the rule-based safety net").add_subparsers(dest="action", required=True)
    check = safety.add_parser("check", help="check one message for signs of crisis")
    check.add_argument("text")
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=cmd_safety_check)

    erase = commands.add_parser("erase", help="erase one conversation and its intake records")
    erase.add_argument("--sender", required=True)
    erase.set_defaults(handler=cmd_erase)

    purge = commands.add_parser("purge", help="enforce the retention period")
    purge.add_argument("--older-than", type=int, required=True, metavar="DAYS")
    purge.set_defaults(handler=cmd_purge)

    staff = commands.add_parser("staff", help="staff console accounts").add_subparsers(dest="action", required=True)
    staff_add = staff.add_parser("add", help="create a staff account (the password is asked for twice)")
    staff_add.add_argument("email")
    staff_add.add_argument("--role", required=True, help="reviewer or admin")
    staff_add.set_defaults(handler=cmd_staff_add)
    add_telegram_commands(commands)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (UsageError, SettingsError) as error:
        print(f"intake: {error}", file=sys.stderr)
        return 2
    except sa.exc.OperationalError as error:
        print(f"intake: the database could not be used ({error.orig}).", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
