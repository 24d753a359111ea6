"""One message through any channel: its text cleaned, Rasa's answer, a notice when that failed, never silence.

The REST, socket.io and messaging platform channels all hand each message to
`TurnHandler.answer`, so a person gets the same notices whichever way they write.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage

from bot.input_guard import clean
from bot.rasa_process import prepare
from bot.settings import Settings
from bot.turn_status import handle_watched, silence_notice

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
# How many messages a turn's output channel has sent so far.
SentCount = Callable[[], int]


class TurnHandler:
    """Answers the messages a channel receives, the same way for every channel."""

    def __init__(self, org_contact: Optional[Text]) -> None:
        self.org_contact = org_contact  # offered to the person when something failed

    @classmethod
    def for_server(cls) -> TurnHandler:
        """The handler for a starting Rasa server: Rasa adjusted (bot.rasa_process), settings from the environment."""
        prepare()  # the action-failure watch, and faster action-answer checks
        return cls(Settings.from_env().org_contact)

    async def answer(self, message: UserMessage, text: Any, on_new_message: OnNewMessage,
                     sent: Optional[SentCount]) -> None:
        """Put `text`, cleaned, into `message`, have Rasa answer it, and make sure the person hears something.

        `sent` counts what `message.output_channel` has sent; None when it cannot
        count (Rasa's streamed REST answers), and then silence is not checked.
        """
        output, recipient = message.output_channel, message.sender_id

        async def say(notice: Text) -> None:
            # Sent as the assistant's own replies are, so an output that counts replies counts it.
            await output.send_response(recipient, {"text": notice})

        cleaned = clean(text)
        for notice in cleaned.notices:
            await say(notice)
        if cleaned.text is None:
            return
        message.text = cleaned.text
        before = sent() if sent is not None else 0
        # Failed actions or stores get a kind notice with another way to reach us.
        problems = await handle_watched(lambda: on_new_message(message), say, self.org_contact)
        # Never leave the person in silence, whatever the dialogue predicted.
        if sent is not None and sent() == before:
            await say(silence_notice(problems))
