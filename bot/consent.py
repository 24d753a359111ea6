"""The wording version of the consent question, kept with each intake record."""
from __future__ import annotations

import datetime as dt

# Bump when utter_ask_consent's wording changes, so records say what was agreed to.
CONSENT_VERSION = "2026-11-v1"


def consent_record(given: bool, at: dt.datetime) -> dict:
    """What the conversation keeps about the person's answer to the consent question."""
    return {"given": given, "at": at.astimezone(dt.timezone.utc).isoformat(), "version": CONSENT_VERSION}
