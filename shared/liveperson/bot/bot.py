"""The demo bot: a hub listener that answers questions about orders (see `__init__.py`).

It works on one thread of its own, in the order messages come: the socket or request that added
a message is never held up by a call to the brand, and the bot never answers one conversation
twice at once.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask

from shared.liveperson.bot import orders
from shared.liveperson.delegation.tokens import DelegatedTokens, Held, RefreshFailed, RefreshRefused
from shared.liveperson.store import NotOpen, Store, now
from shared.liveperson.store.models import BotEntry, Conversation, Message
from shared.validation.authenticate import Exchange

logger = logging.getLogger(__name__)

ASKS_ABOUT_ORDERS = re.compile(r"\borders?\b", re.IGNORECASE)
HANDOVER = "I am handing you over to an agent, who will answer you here."
LINK = (
    "I can look up your orders once you confirm who you are. Open this link, log in and allow "
    "access (it works once, within 10 minutes): {link}"
)
REFUSED = {
    401: "The store did not accept my access to your orders (invalid_token).",
    403: "I am not allowed to read your orders (insufficient_scope).",
}
WITHDRAWN = "Your permission for me to read your orders has been withdrawn."
UNREACHABLE = "I cannot reach the store right now."
DENIED = "You did not allow me to see your orders, so I cannot look them up."


class Bot:
    def __init__(self, app: Flask) -> None:
        extensions = app.extensions
        settings = extensions["standin"]
        self.id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"liveperson-stand-in/{settings.account}/bot"))
        self._store: Store = extensions["store"]
        self._hub = extensions["hub"]
        self._tokens: DelegatedTokens = extensions["delegated_tokens"]
        self._verifications = extensions["verifications"]
        self._orders_url = settings.orders_url()
        self._timeout = settings.validation.timeout
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bot")

    # -- what it hears -----------------------------------------------------------------------

    def message_added(self, message: Message) -> None:
        """The hub's: every message of every conversation."""
        if message.originator == "consumer" and ASKS_ABOUT_ORDERS.search(message.text):
            self._later(self._answer, message.conversation_id, message.sequence)

    def verified(self, conversation_id: str) -> None:
        """The customer came back from the verification link with a token: answer the question."""
        self._later(self._answer, conversation_id, None)

    def verification_refused(self, conversation_id: str) -> None:
        """The customer came back from the verification link without allowing access."""
        self._later(self._hand_over, conversation_id, None, DENIED)

    def _later(self, task: Callable[..., None], *args: Any) -> None:
        def run() -> None:
            try:
                task(*args)
            except Exception:  # the thread must go on answering the others
                logger.exception("The bot failed to answer")

        self._worker.submit(run)

    # -- what it does ------------------------------------------------------------------------

    def _answer(self, conversation_id: str, sequence: int | None) -> None:
        conversation = self._store.conversation(conversation_id)
        if conversation is None or conversation.state != "OPEN" or self._handed_over(conversation_id):
            return
        if sequence is None:  # after the verification link: the last message is the question
            sequence = self._store.messages(conversation_id)[-1].sequence
        renewable = conversation.consumer.authenticated
        renew = False
        while True:
            try:
                held = self._held(conversation, renewable, renew)
            except RefreshFailed as failed:
                self._entry_for(failed.exchange, conversation_id, sequence)
                why = WITHDRAWN if isinstance(failed, RefreshRefused) else UNREACHABLE
                self._hand_over(conversation_id, sequence, why)
                return
            if held is None:
                link = self._verifications.link(conversation_id)
                if link is None:
                    self._hand_over(conversation_id, sequence, UNREACHABLE)
                else:
                    self._say(conversation_id, LINK.format(link=link))
                return
            if held.refreshed is not None:
                self._entry_for(held.refreshed, conversation_id, sequence)
            answer = self._call_api(conversation_id, sequence, held)
            if answer.orders is not None:
                self._say(conversation_id, orders.listed(answer.orders))
                return
            # Refused before its time (revoked, say): a refreshed token may still be had, once.
            if answer.status == 401 and renewable and not renew and held.refreshed is None:
                renew = True
                continue
            self._hand_over(conversation_id, sequence, REFUSED.get(answer.status or 0, UNREACHABLE))
            return

    def _held(self, conversation: Conversation, renewable: bool, renew: bool) -> Held | None:
        """The customer's delegated tokens if the brand gave them at authentication (refreshed
        first if due, or if `renew`), else those of a verification link in this conversation."""
        held = self._tokens.of_consumer(conversation.consumer_id, renew) if renewable else None
        return held or self._tokens.of_conversation(conversation.id)

    def _call_api(self, conversation_id: str, sequence: int, held: Held) -> orders.Answer:
        answer = orders.fetch(self._orders_url, held.access_token, self._timeout)
        count = None if answer.orders is None else len(answer.orders)
        outcome = answer.error if count is None else f"{count} order{'' if count == 1 else 's'}"
        self._entry(conversation_id, sequence, "GET", self._orders_url, answer.status, count, outcome or "")
        return answer

    def _hand_over(self, conversation_id: str, sequence: int | None, why: str) -> None:
        if self._handed_over(conversation_id):
            return
        if sequence is None:
            sequence = self._store.messages(conversation_id)[-1].sequence
        self._say(conversation_id, f"{why} {HANDOVER}")
        self._entry(conversation_id, sequence, None, None, None, None, why)

    def _handed_over(self, conversation_id: str) -> bool:
        return any(entry.kind == "handover" for entry in self._store.bot_entries(conversation_id))

    # -- what it leaves behind -----------------------------------------------------------------

    def _say(self, conversation_id: str, text: str) -> None:
        try:
            message = self._store.add_message(conversation_id, "bot", self.id, text)
        except NotOpen:
            return  # closed meanwhile: nobody to tell
        self._hub.message_added(message)

    def _entry_for(self, exchange: Exchange, conversation_id: str, sequence: int) -> None:
        """A refresh at the brand's token endpoint, as the agent sees it."""
        failure = exchange.failure
        note = "Renewed the access token" if failure is None else str(failure.get("message"))
        record = exchange.http[-1] if exchange.http else None
        self._entry(
            conversation_id,
            sequence,
            record.method if record else "POST",
            record.url if record else None,
            record.status if record else None,
            None,
            note,
        )

    def _entry(
        self,
        conversation_id: str,
        sequence: int,
        method: str | None,
        url: str | None,
        status: int | None,
        count: int | None,
        note: str,
    ) -> None:
        self._store.add_bot_entry(
            BotEntry(
                conversation_id=conversation_id,
                after_sequence=sequence,
                at=now(),
                kind="handover" if method is None else "api-call",
                method=method,
                url=url,
                status=status,
                orders=count,
                note=note,
            )
        )
