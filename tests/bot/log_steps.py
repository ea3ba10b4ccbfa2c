"""Shared by the /log tests: past the record's own steps (the form, the evidence)."""

from __future__ import annotations

from bot.offline_telegram import OfflinePerson


def _offered(person: OfflinePerson, data: str) -> bool:
    return any(b.callback_data == data for b in person.last_with_buttons().buttons)


async def skip_record_steps(person: OfflinePerson) -> None:
    """Skip every field of the template's form, then the evidence step."""
    while _offered(person, "log:fs"):
        await person.press("log:fs")
    if _offered(person, "log:evd"):
        await person.press("log:evd")


async def past_supervisees(person: OfflinePerson) -> None:
    """/supervise: a group session of the whole team (when those steps are on screen)."""
    if _offered(person, "sup:form:group"):
        await person.press("sup:form:group")
    if _offered(person, "sup:team"):
        await person.press("sup:team")


async def to_the_form(person: OfflinePerson, category: str, template: str) -> None:
    """/log today, 1 hour, one elderly person, no note: up to the template's own form."""
    await person.send("/log")
    for button in (f"log:cat:{category}", f"log:tpl:{template}", "log:date:today", "log:dur:60"):
        await person.press(button)
    await past_the_people(person)


async def quick_to_the_form(person: OfflinePerson) -> None:
    """/log by ⚡ (the template last logged, today), 1 hour, one elderly person, no note."""
    await person.send("/log")
    for button in ("log:last", "log:dur:60"):
        await person.press(button)
    await past_the_people(person)


async def past_the_people(person: OfflinePerson) -> None:
    for button in ("log:grp:elderly", "log:grp:done", "log:pt:1", "log:note:skip"):
        await person.press(button)
