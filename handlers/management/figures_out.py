"""Sending a chart and its workbook: what /report and /evaluation both end with.

The chart is drawn in the chart's language (`report_files.chart_language`: Chinese glyphs
only where the fonts have them), the workbook in the person's; both take CPU seconds on a big
year, so they are made off the event loop and other people's messages are answered meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar
from zoneinfo import ZoneInfo

from telegram import InputFile, Update

from handlers.documents import report_files
from handlers.documents.report_files import Names
from handlers.kit.context import Context, Speaker
from handlers.kit.i18n import Gettext

Figures = TypeVar("Figures")


async def send_chart_and_workbook(
    update: Update,
    context: Context,
    who: Speaker,
    figures: Figures,
    *,
    chart: Callable[[Figures, Gettext, Names], bytes],
    workbook: Callable[[Figures, Gettext, Names, ZoneInfo], bytes],
    stem: str,
    captions: tuple[str, str],
) -> None:
    """`chart(figures, _, names)` as `<stem>.png`, then `workbook(figures, _, names, zone)` as
    `<stem>.xlsx`, with `captions` (the chart's, the workbook's)."""
    data = context.bot_data
    chart_lang = report_files.chart_language(who.lang)
    png = await asyncio.to_thread(
        chart,
        figures,
        data.translator.for_language(chart_lang),
        report_files.names_for(data.knowledge, chart_lang),
    )
    xlsx = await asyncio.to_thread(
        workbook,
        figures,
        who.gettext,
        report_files.names_for(data.knowledge, who.lang),
        data.clock.zone,
    )
    chat = update.effective_chat
    assert chat is not None
    await chat.send_photo(InputFile(png, filename=f"{stem}.png"), caption=captions[0])
    await chat.send_document(InputFile(xlsx, filename=f"{stem}.xlsx"), caption=captions[1])
