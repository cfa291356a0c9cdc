"""The stand-in's demo bot (`--bot`): what a brand's LivePerson bot does with Consumer Delegation
("Consumer Delegation: How It Works", "Conversation Builder: Using Consumer Access Tokens").

It reads every consumer message (the hub, `messaging/hub.py`), and when a customer asks about
their orders it answers in the conversation, as a bot participant the consumer sees as an agent:

- with delegated tokens (an authenticated conversation's, refreshed when due; or those of a
  verification link in this conversation), it calls the brand's API (`orders.py`) and lists the
  orders;
- without, it sends the verification link (`delegation/verification.py`), and answers once the
  brand has sent the customer back (`delegation/callback.py` tells it);
- when the brand refuses (the grant revoked, a token without the scope) or does not answer, it
  says so and hands the conversation over to the agent, and stays quiet in it from then on.

Its messages are stored as the bot's (`originator` "bot"), and each call to the brand and each
handover as an entry only the agent workspace shows (`BotEntry`).

- `orders.py`: the call to the brand's API and the bot's list of orders.
- `bot.py`: the listener and what it says when.
"""

from __future__ import annotations

from flask import Flask

from shared.liveperson.bot.bot import Bot


def init_app(app: Flask) -> None:
    if app.extensions["standin"].bot:
        bot = Bot(app)
        app.extensions["bot"] = bot
        app.extensions["hub"].follow_all(bot)
