"""A forged record "Delete" press (edges9): 🗑 Delete (`rec:del:<id>`) and its confirmation
(`rec:delyes:<id>`) for a record that is not there, or of a station the person does not
serve, are answered "I could not find that record." — the one sentence for a missing record —
and nothing is deleted. Before, the question "Delete record N?" was asked for any number, and
another station's head who confirmed it was told only the station head may delete (so the
record was there)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import ActivityLog
from tests.bot.test_record_edit import _record
from tests.harness import BotHarness

NOT_FOUND = {"en": "I could not find that record.", "zh": "找不到这条记录。"}


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_delete_press_for_a_record_that_is_not_there(bot: BotHarness, lang: str) -> None:
    head = await bot.person(role="station_head", stations=("jiangnan",), lang=lang)
    await head.send("/start")
    menu = head.last_with_buttons()
    before = await bot.rows()
    await head.press_data("rec:del:987654", message=menu)
    assert head.last_text == NOT_FOUND[lang]
    assert head.last.buttons == []  # no "Yes, delete it" for nothing
    await head.press_data("rec:delyes:987654", message=menu)
    assert head.last_text == NOT_FOUND[lang]
    await head.press_data("rec:del:" + "9" * 40, message=menu)  # past any database id
    assert head.last_text == NOT_FOUND[lang]
    assert await bot.rows() == before


@pytest.mark.parametrize("role", ["station_head", "worker"])
async def test_a_delete_press_for_another_stations_record(bot: BotHarness, role: str) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    record_id = await _record(bot, worker, case_no="C-9", goals="g", measures="m")
    other = await bot.person(role=role, stations=("xicheng",), lang="en")
    await other.send("/start")
    menu = other.last_with_buttons()
    before = await bot.rows()
    await other.press_data(f"rec:del:{record_id}", message=menu)
    assert other.last_text == NOT_FOUND["en"]
    assert other.last.buttons == []
    await other.press_data(f"rec:delyes:{record_id}", message=menu)
    assert other.last_text == NOT_FOUND["en"]
    assert await bot.rows() == before  # not deleted, nothing audited
    async with bot.database.uow() as uow:
        row = await uow.session.get(ActivityLog, record_id)
        assert row is not None and row.deleted_at is None
    # Its own station's head still deletes it.
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en")
    await head.send(f"/record {record_id}")
    await head.press("🗑 Delete")
    await head.press("🗑 Yes, delete it")
    assert f"Record {record_id} deleted." in head.last_text
    async with bot.database.uow() as uow:
        deleted = await uow.session.scalar(select(ActivityLog.deleted_at))
    assert deleted is not None
