"""Optional staff e-mail: 'something is waiting in the console', never what it is about."""
from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import List, Mapping, NamedTuple, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from bot.models import OutboxMessage

log = logging.getLogger(__name__)

DEFAULT_PORT = 587
SMTP_TIMEOUT_SECONDS = 15.0
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send staff notifications."""

    host: str
    port: int = DEFAULT_PORT
    username: Optional[str] = None
    password: Optional[str] = None
    use_tls: bool = True  # STARTTLS after connecting
    sender: str = "intake-assistant@localhost"
    recipients: Tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Optional["SmtpSettings"]:
        """Settings from INTAKE_SMTP_* and INTAKE_STAFF_EMAILS; None (e-mail off) without host or recipients."""
        host = env.get("INTAKE_SMTP_HOST", "").strip()
        recipients = tuple(a.strip() for a in env.get("INTAKE_STAFF_EMAILS", "").split(",") if a.strip())
        if not host or not recipients:
            return None
        port_text = env.get("INTAKE_SMTP_PORT", "").strip() or str(DEFAULT_PORT)
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"INTAKE_SMTP_PORT must be a port number, not {port_text!r}")
        tls_text = env.get("INTAKE_SMTP_STARTTLS", "").strip().lower() or "true"
        if tls_text not in _TRUE + _FALSE:
            raise ValueError(f"INTAKE_SMTP_STARTTLS must be true or false, not {tls_text!r}")
        username = env.get("INTAKE_SMTP_USER", "").strip() or None
        sender = env.get("INTAKE_SMTP_FROM", "").strip() or (username if username and "@" in username else "")
        return cls(
            host=host, port=int(port_text), username=username,
            password=env.get("INTAKE_SMTP_PASSWORD") or None, use_tls=tls_text in _TRUE,
            sender=sender or cls.sender, recipients=recipients,
        )


class _Pending(NamedTuple):
    id: int
    kind: str
    intake_id: Optional[int]
    urgent: bool
    created_at: dt.datetime


def _pending(sessions: sessionmaker) -> List[_Pending]:
    """Outbox messages not yet e-mailed, urgent first, then oldest first."""
    with sessions() as session:
        rows = session.execute(
            sa.select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.intake_id,
                      OutboxMessage.urgent, OutboxMessage.created_at)
            .where(OutboxMessage.emailed_at.is_(None))
            .order_by(OutboxMessage.urgent.desc(), OutboxMessage.created_at, OutboxMessage.id)
        ).all()
    return [_Pending(*row) for row in rows]


def compose(item: _Pending, smtp: SmtpSettings) -> EmailMessage:
    """The e-mail for one outbox message: no health data, no names, no contact details."""
    reference = f"intake #{item.intake_id}" if item.intake_id is not None else f"notification #{item.id}"
    if item.urgent or item.kind == "crisis":
        headline = "URGENT: a conversation was flagged for crisis review"
    else:
        headline = "A new intake is waiting"
    message = EmailMessage()
    message["Subject"] = f"{headline} ({reference})"
    message["From"] = smtp.sender
    message["To"] = ", ".join(smtp.recipients)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or "localhost")
    if item.urgent:
        message["Importance"] = "high"
        message["X-Priority"] = "1"
    message.set_content(
        f"{headline}.\n\n"
        f"Reference: {reference}\n"
        f"Time: {item.created_at:%Y-%m-%d %H:%M} UTC\n\n"
        "Please open the staff console to review it.\n"
        "This e-mail deliberately contains no details about the person.\n"
    )
    return message


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    """An SMTP connection, upgraded with STARTTLS and logged in as configured."""
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if smtp.use_tls:
            client.starttls(context=ssl.create_default_context())
        if smtp.username:
            client.login(smtp.username, smtp.password or "")
    except BaseException:
        client.close()
        raise
    return client


def _mark_emailed(sessions: sessionmaker, message_id: int, now: dt.datetime) -> None:
    with sessions() as session, session.begin():
        session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.emailed_at.is_(None))
            .values(emailed_at=now)
        )


def send_pending(sessions: sessionmaker, smtp: SmtpSettings, now: Optional[dt.datetime] = None) -> int:
    """E-mail every outbox message not yet e-mailed (urgent first); returns how many were sent.

    Blocking (smtplib): run it in a thread. Each message is marked right after
    it is sent; on an SMTP or network failure the rest stay unmarked for the
    next call, and the warning names only the error type.
    """
    pending = _pending(sessions)
    if not pending:
        return 0
    if now is None:
        now = dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is not None:
        now = now.astimezone(dt.timezone.utc).replace(tzinfo=None)
    sent = 0
    try:
        client = _connect(smtp)
    except (smtplib.SMTPException, OSError) as error:
        log.warning("staff e-mail: could not connect to the SMTP server (%s); will retry", type(error).__name__)
        return 0
    try:
        for item in pending:
            try:
                client.send_message(compose(item, smtp))
            except (smtplib.SMTPException, OSError) as error:
                log.warning("staff e-mail: sending failed (%s); %d left for later",
                            type(error).__name__, len(pending) - sent)
                break
            _mark_emailed(sessions, item.id, now)
            sent += 1
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
    return sent


def email_staff_if_configured(sessions: sessionmaker) -> int:
    """Send the pending outbox by e-mail when SMTP settings are present; else nothing."""
    smtp = SmtpSettings.from_env()
    return send_pending(sessions, smtp) if smtp is not None else 0
