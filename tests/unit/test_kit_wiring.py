"""The kit's folds of what the journeys repeated: a command and its menu button (`Flow.command`,
`wiring.command_and_button`), tables of presses, the persistent conversations that are not
Flows, `offered` (a pressed value the step offered) and the default draft key of a step."""

import re
from typing import Any

import pytest
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.kit.flow import END, Flow, Reask
from handlers.kit.steps import offered, text_step
from handlers.kit.wiring import command_and_button, persistent_conversation, presses


async def _answer(update: Any, context: Any) -> None:
    return None


async def _other(update: Any, context: Any) -> None:
    return None


async def _begin(update: Any, context: Any, who: Any) -> dict[str, Any]:
    return {}


async def _finish(update: Any, context: Any, who: Any, draft: Any) -> int:
    return END


def _matches(handler: Any, data: str) -> bool:
    assert isinstance(handler, CallbackQueryHandler)
    pattern = handler.pattern
    assert isinstance(pattern, re.Pattern)
    return pattern.match(data) is not None


def test_a_command_and_its_menu_button_answer_alike() -> None:
    command, button = command_and_button("quota", _answer)
    assert isinstance(command, CommandHandler)
    assert command.commands == frozenset({"quota"})
    assert command.callback is _answer and button.callback is _answer
    assert _matches(button, "menu:quota")
    assert not _matches(button, "menu:quotas")


def test_presses_keep_the_table_order() -> None:
    first, second = presses({r"^my:cx:\d+$": _answer, r"^my:list$": _other})
    assert first.callback is _answer and second.callback is _other
    assert _matches(first, "my:cx:12") and not _matches(first, "my:cx:x")
    assert _matches(second, "my:list")


def test_a_persistent_conversation_is_named_reentrant_and_has_no_fallbacks() -> None:
    entry = command_and_button("stats", _answer)
    conversation = persistent_conversation("stats", entry, {"pick": presses({"^s:": _other})})
    assert conversation.name == "stats"
    assert conversation.persistent and conversation.allow_reentry
    assert conversation.entry_points == entry
    assert list(conversation.states) == ["pick"]
    assert conversation.fallbacks == []
    assert persistent_conversation("quota", entry).states == {}


def test_a_flows_command_starts_it_with_its_menu_button_and_more_patterns() -> None:
    flow = Flow(
        name="demo",
        prefix="dm",
        steps=(text_step("note", text=lambda _, c, w, d: "A note?"),),
        begin=_begin,
        finish=_finish,
        command="demo",
        commands=("demo2",),
        entry_patterns=(r"^dm:start$",),
    )
    assert flow.starting_commands == ("demo", "demo2")
    assert flow.starting_patterns == (r"^menu:demo$", r"^dm:start$")
    entry = flow.conversation().entry_points
    assert isinstance(entry[0], CommandHandler)
    assert entry[0].commands == frozenset({"demo", "demo2"})
    assert [_matches(h, "menu:demo") for h in entry[1:]] == [True, False]


def test_offered_takes_only_a_value_the_step_offered() -> None:
    assert offered(7, (3, 7, 14)) == 7
    assert offered("last", ("this", "last")) == "last"
    for forged in (None, 0, 8):
        with pytest.raises(Reask) as asked:
            offered(forged, (3, 7, 14))
        assert asked.value.problem is None  # the step is shown again, plainly
