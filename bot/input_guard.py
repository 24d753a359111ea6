"""Cleans what people type before the assistant reads it."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Optional, Tuple

MAX_CHARACTERS = 2_000
# C0/C1 control characters except tab and newline, and lone UTF-16 surrogates.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

TOO_LONG_NOTICE = (
    "Your message was very long, so I've only read the first part of it. "
    "Feel free to send the rest in shorter messages."
)
EMPTY_NOTICE = "It looks like that message was empty. What would you like to ask?"
NO_REPLY_NOTICE = (
    "Sorry, I'm not sure how to answer that. You can ask me what a group is like, "
    "or say \"find a group\"."
)
# Said instead while a staff member has the conversation (live hand-off) and the bot is paused.
PAUSED_NOTICE = "Thanks, your message has reached our team. A member of staff will reply here shortly."


@dataclass(frozen=True)
class CleanText:
    """The text to process (None when there is nothing to read) and notices for the person."""

    text: Optional[str]
    notices: Tuple[str, ...] = ()


def clean(raw: Any) -> CleanText:
    """Strip control characters, normalise Unicode and cut very long messages."""
    if not isinstance(raw, str):
        return CleanText(None, (EMPTY_NOTICE,))
    text = unicodedata.normalize("NFC", _UNPRINTABLE.sub("", raw)).strip()
    if not text:
        return CleanText(None, (EMPTY_NOTICE,))
    if len(text) <= MAX_CHARACTERS:
        return CleanText(text)
    cut = text[:MAX_CHARACTERS]
    # Cut at the last space so a word is not split in half.
    if " " in cut[-200:]:
        cut = cut[: cut.rindex(" ")]
    return CleanText(cut, (TOO_LONG_NOTICE,))
