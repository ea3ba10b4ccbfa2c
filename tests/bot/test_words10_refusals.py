"""A command that is not this person's is refused in one sentence, built in one place
(`handlers.kit.words.only_for`): a resident hears that it is for the station's staff (the same
words for every staff command); staff in another role hear which roles it is for. An outside
tester had found four different sentences for the same situation."""

from __future__ import annotations

import pytest

from handlers.people.menu import COMMANDS, EVERYONE, RESIDENT
from tests.harness import BotHarness

STAFF_COMMANDS = [c.name for c in COMMANDS if not c.roles & {RESIDENT, EVERYONE}]
# staff commands outside the menu table; /record and /verify with an argument, as typed
OTHERS = ["record 1", "poster", "verify ABCD-EFGH-JKLM", "mysessions", "newcase"]
RESIDENT_HEARS = {
    "zh": "抱歉，这个功能只供社工站工作人员使用。发送 /menu 可以查看您能用的功能。",
    "en": "Sorry, this is only for social work station staff. Send /menu to see what you can use.",
}
GROUP = {
    "worker": "social workers",
    "station_head": "station heads",
    "supervisor": "supervisors",
    "admin": "administrators",
}


def _english_list(roles: frozenset[str]) -> str:
    names = [GROUP[r] for r in GROUP if r in roles]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def test_the_table_has_the_staff_commands() -> None:
    assert {"log", "inbox", "supervise", "quota", "cases", "staff", "broadcast"} <= set(
        STAFF_COMMANDS
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_resident_hears_one_sentence_for_every_staff_command(
    bot: BotHarness, lang: str
) -> None:
    resident = await bot.person(lang=lang)
    await resident.send("/start")
    heard = {}
    for command in STAFF_COMMANDS + OTHERS:
        before = len(resident.messages)
        await resident.send("/" + command)
        said = [m.text for m in resident.messages[before:]]
        heard[command] = said
    assert {c: s for c, s in heard.items() if s != [RESIDENT_HEARS[lang]]} == {}


@pytest.mark.parametrize("role", ["worker", "station_head", "supervisor", "admin"])
async def test_staff_in_another_role_hear_which_roles_a_command_is_for(
    bot: BotHarness, role: str
) -> None:
    person = await bot.person(
        role=role, stations=() if role == "admin" else ("jiangnan",), lang="en"
    )
    wrong = {}
    for command in COMMANDS:
        # /cases: a supervisor's list is the records to review (README)
        if command.roles & {RESIDENT, EVERYONE, role} or command.name == "cases":
            continue
        await person.send("/" + command.name)
        expected = f"Sorry, this is only for {_english_list(command.roles)}. Send /menu to see what you can use."
        if person.last_text != expected:
            wrong[command.name] = (person.last_text, expected)
        await person.send("/cancel")
    assert wrong == {}


async def test_the_chinese_sentence_has_the_same_shape_for_staff(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",))
    await worker.send("/quota")
    assert (
        worker.last_text
        == "抱歉，这个功能只供站长、督导和管理员使用。发送 /menu 可以查看您能用的功能。"
    )
    await supervisor.send("/log")
    assert supervisor.last_text == "抱歉，这个功能只供社工使用。发送 /menu 可以查看您能用的功能。"
    await supervisor.send("/record 1")
    assert (
        supervisor.last_text
        == "抱歉，这个功能只供社工和站长使用。发送 /menu 可以查看您能用的功能。"
    )
