"""How the assistant's buttons and long texts degrade on platforms with fewer features."""
from __future__ import annotations

import re
from typing import Any, Dict, Iterator, List, Optional, Sequence

Button = Dict[str, Any]

PICK_A_NUMBER = "Reply with the number of your choice."
CHOOSE = "Please choose:"  # for a message that is only buttons
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def split_text(text: str, limit: int) -> List[str]:
    """`text` in messages of at most `limit` characters, cut between paragraphs where possible."""
    messages: List[str] = []
    current = ""
    for paragraph in text.strip().split("\n\n"):
        for part in _cut(paragraph.strip(), limit):
            joined = f"{current}\n\n{part}" if current else part
            if len(joined) <= limit:
                current = joined
            else:
                messages.append(current)
                current = part
    if current:
        messages.append(current)
    return messages


def parts_before_buttons(text: Optional[str], limit: int) -> List[str]:
    """The messages of a text that ends with buttons; never empty, as the buttons need a message."""
    return split_text(text or "", limit) or [CHOOSE]


def _cut(paragraph: str, limit: int) -> Iterator[str]:
    """A paragraph in parts of at most `limit` characters, cut at spaces where possible."""
    while len(paragraph) > limit:
        cut = paragraph.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        yield paragraph[:cut].rstrip()
        paragraph = paragraph[cut:].lstrip()
    if paragraph:
        yield paragraph


def numbered_options(text: Optional[str], buttons: Sequence[Button]) -> str:
    """The text, then the buttons as a numbered list the person answers with a number."""
    options = "\n".join(f"{number}. {button['title']}" for number, button in enumerate(buttons, start=1))
    return f"{(text or CHOOSE).rstrip()}\n\n{options}\n\n{PICK_A_NUMBER}"


def option_number(reply: str) -> Optional[int]:
    """The number in a reply that is only a number ("2", "2.", " 2) "), else None."""
    found = _NUMBER.match(reply or "")
    return int(found.group(1)) if found else None


def chosen_payload(number: int, buttons: Sequence[Button]) -> Optional[str]:
    """The payload of option `number` (counting from 1) of `buttons`, else None."""
    return buttons[number - 1].get("payload") if 1 <= number <= len(buttons) else None
