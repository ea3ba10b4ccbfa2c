"""A Flow's conversation turns away a press of another journey's button without trying its
handlers (`FlowConversation.check_update`), and takes its own as PTB would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import CallbackQuery, Chat, Message, Update, User
from telegram.ext import CallbackQueryHandler, ConversationHandler, TypeHandler

from handlers.kit.flow import _literal_start, _press_starts
from handlers.management.admin import INVITE
from handlers.work.activity_log import log_conversation

PERSON = User(7, "测试", False)


def _press(data: str) -> Update:
    chat = Chat(7, "private")
    message = Message(1, date=datetime(2026, 12, 2, tzinfo=UTC), chat=chat)
    query = CallbackQuery("q1", PERSON, "c", message=message, data=data)
    return Update(1, callback_query=query)


def test_the_literal_start_of_a_pattern() -> None:
    assert _literal_start(r"^inv:") == "inv:"
    assert _literal_start(r"^menu:invite$") == "menu:invite"
    assert _literal_start(r"^cs:(rs|ra):\d+:\w+$") == "cs:"
    assert _literal_start(r"^a\.b?c") == "a."
    assert _literal_start(r"(?i)^inv:") == ""  # any case: no start to filter on
    assert _literal_start(r"^(x|y)") == ""


def test_a_flow_takes_the_presses_of_its_prefix_and_entry_patterns() -> None:
    assert set(_press_starts(INVITE.conversation())) == {"inv:", "menu:invite"}
    # An entry point added after the Flow made its conversation counts as well.
    assert "log:again" in _press_starts(log_conversation())


def test_nothing_is_filtered_when_a_handler_could_take_any_press() -> None:
    conversation = INVITE.conversation()
    conversation.entry_points.append(CallbackQueryHandler(lambda u, c: None))  # no pattern
    assert _press_starts(conversation) == ()
    conversation = INVITE.conversation()
    conversation.fallbacks.append(TypeHandler(Update, lambda u, c: None))
    assert _press_starts(conversation) == ()


def test_another_journeys_press_is_turned_away_without_trying_the_handlers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conversation = INVITE.conversation()
    tried: list[str] = []
    original = CallbackQueryHandler.check_update

    def counting(self: CallbackQueryHandler[Any, Any], update: object) -> Any:
        tried.append(str(self.pattern))
        return original(self, update)

    monkeypatch.setattr(CallbackQueryHandler, "check_update", counting)
    assert conversation.check_update(_press("req:st:jiangnan")) is None
    assert tried == []
    found = conversation.check_update(_press("menu:invite"))
    assert found is not None and found[2] in conversation.entry_points
    assert tried  # PTB's own matching decided it
    assert isinstance(conversation, ConversationHandler)
