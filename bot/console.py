"""`stationbot console`: talk to the real bot in a terminal, offline, as one of the demo people.

Bot messages print with their buttons numbered; type a number to press one, or type text.
`:contact [phone]`, `:photo`, `:document [name]`, `:sticker` send those kinds of message (the
photo and the document carry a small file of their own, so evidence can be tried); `:as ROLE` switches
person; `:quit` (or end of input) leaves. Messages the bot sends to the other demo people
(a worker told of a new request, say) print too, marked with who received them.
"""

from __future__ import annotations

import asyncio
import itertools
import struct
import sys
import zlib
from dataclasses import dataclass
from typing import TextIO

from bot.application import StationApp, build_application, on_startup
from bot.offline_telegram import OFFLINE_TOKEN, BotMessage, OfflinePerson, OfflineTelegram
from bot.runtime import knowledge_for, open_database
from bot.settings import Settings
from db.uow import Database
from services import people, reach, staff
from services.people import ADMIN, STATION_HEAD, SUPERVISOR, WORKER


@dataclass(frozen=True)
class DemoPerson:
    role: str
    tg_id: int
    first_name: str
    stations: tuple[str, ...]


DEMO_PEOPLE = (
    DemoPerson("resident", 10_001, "王阿姨", ()),
    DemoPerson(WORKER, 10_002, "李社工", ("jiangnan",)),
    DemoPerson(SUPERVISOR, 10_003, "陈督导", ("jiangnan", "xicheng")),
    DemoPerson(STATION_HEAD, 10_004, "张站长", ("jiangnan",)),
    DemoPerson(ADMIN, 10_005, "民政局刘科长", ()),
)
DEMO_BY_ROLE = {p.role: p for p in DEMO_PEOPLE}
DEMO_BY_ID = {p.tg_id: p for p in DEMO_PEOPLE}


async def seed_demo_people(database: Database, app: StationApp) -> None:
    data = app.bot_data
    for person in DEMO_PEOPLE:
        if person.role == "resident":
            continue
        for station in person.stations or (None,):
            async with database.uow() as uow:
                await staff.grant_directly(
                    uow,
                    tg_id=person.tg_id,
                    role=person.role,
                    station_code=station,
                    now=data.clock.now(),
                    display_name=person.first_name,
                )


async def remember_started(database: Database, telegram: OfflineTelegram) -> None:
    """The offline Telegram is new each run, the database is kept: it knows the chats the
    database says wrote to the bot (the demo staff are seeded as colleagues who use it), as
    Telegram would. Else it refuses their own "/" menus at start ("chat not found")."""
    async with database.uow() as uow:
        telegram.started.update(await reach.started_chats(uow))


class ConsoleView:
    def __init__(self, out: TextIO, me: int) -> None:
        self.out = out
        self.me = me

    def show(self, message: BotMessage, edited: bool) -> None:
        mark = "✎ " if edited else ""
        if message.chat_id != self.me:
            who = DEMO_BY_ID.get(message.chat_id)
            name = f"{who.first_name} ({who.role})" if who else str(message.chat_id)
            self.out.write(f"\n  ✉ → {name}: {message.text}\n")
            self._buttons(message, indent="    ")
            return
        kind = {"photo": "🖼 ", "document": f"📎 {message.file_name} "}.get(message.kind, "")
        self.out.write(f"\n🤖 {mark}{kind}{message.text}\n")
        self._buttons(message, indent="  ")
        if message.reply_keyboard:
            labels = [b.text for row in message.reply_keyboard for b in row]
            self.out.write(
                "  ⌨ "
                + " | ".join(labels)
                + "  (type a label to tap it, :contact to share your phone)\n"
            )
        self.out.flush()

    def _buttons(self, message: BotMessage, indent: str) -> None:
        for number, button in enumerate(message.buttons, start=1):
            self.out.write(f"{indent}[{number}] {button.text}\n")


async def run_console(
    settings: Settings, *, role: str, language: str, stdin: TextIO, stdout: TextIO
) -> int:
    knowledge = knowledge_for(settings)
    database = await open_database(settings)
    telegram = OfflineTelegram()
    app = build_application(
        settings, database=database, token=OFFLINE_TOKEN, request=telegram, knowledge=knowledge
    )
    await app.initialize()
    await remember_started(database, telegram)
    await on_startup(app)
    await app.start()
    await seed_demo_people(database, app)
    await remember_started(database, telegram)
    demo = DEMO_BY_ROLE[role]
    for someone in DEMO_PEOPLE:  # --lang decides for every demo person, this session
        async with database.uow() as uow:
            await people.set_language(
                uow, tg_id=someone.tg_id, language=language, now=app.bot_data.clock.now()
            )
    view = ConsoleView(stdout, demo.tg_id)
    telegram.listeners.append(view.show)
    person = _person(app, telegram, demo, language)
    interactive = stdin.isatty()
    stdout.write(
        f"stationbot console — {demo.first_name} ({demo.role}). "
        "Type text, a button number, :contact, :photo, :document, :sticker, :as ROLE, :quit.\n"
    )
    stdout.flush()
    loop = asyncio.get_running_loop()
    try:
        while True:
            if interactive:
                stdout.write("> ")
                stdout.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                break
            line = line.rstrip("\n")
            if not interactive:
                stdout.write(f"\n> {line}\n")
            if not line.strip():
                continue
            if line.strip() == ":quit":
                break
            if line.startswith(":as "):
                wanted = line[4:].strip()
                if wanted in DEMO_BY_ROLE:
                    demo = DEMO_BY_ROLE[wanted]
                    view.me = demo.tg_id
                    person = _person(app, telegram, demo, language)
                    stdout.write(f"(now {demo.first_name}, {demo.role})\n")
                else:
                    stdout.write(f"(unknown role; one of {', '.join(DEMO_BY_ROLE)})\n")
                continue
            await _act(person, line, stdout)
    finally:
        await app.stop()
        await app.shutdown()
        await database.dispose()
    return 0


def _person(
    app: StationApp, telegram: OfflineTelegram, demo: DemoPerson, language: str
) -> OfflinePerson:
    return OfflinePerson(
        app,
        telegram,
        demo.tg_id,
        first_name=demo.first_name,
        language_code="zh-hans" if language == "zh" else "en",
        phone="+8613800138000",
    )


async def _act(person: OfflinePerson, line: str, stdout: TextIO) -> None:
    text = line.strip()
    if text.startswith(":contact"):
        phone = text[len(":contact") :].strip() or None
        await person.send_contact(phone)
    elif text == ":photo":
        # A real photo has a file Telegram keeps: without one, getFile refuses it.
        sent = next(_files)
        await person.send_photo(_tiny_png(), file_id=f"console-photo-{sent}")
    elif text.startswith(":document"):
        name = text[len(":document") :].strip() or "sign-in.pdf"
        sent = next(_files)
        await person.send_document(_TINY_PDF, file_id=f"console-doc-{sent}", file_name=name)
    elif text == ":sticker":
        await person.send_sticker()
    elif text.isdigit() and _has_buttons(person) and 1 <= int(text) <= _button_count(person):
        await person.press(int(text), message=person.last_with_buttons())
    else:
        # A number with no such button is an answer (a phone number, person-times): send it.
        await person.send(line)


_files = itertools.count(1)  # each photo or document sent is a file of its own
_TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _tiny_png() -> bytes:
    """A 2 × 2 grey PNG, built here so the console needs no image file."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = zlib.compress(b"\x00\x80\x80" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _button_count(person: OfflinePerson) -> int:
    return len(person.last_with_buttons().buttons)


def _has_buttons(person: OfflinePerson) -> bool:
    last = person.telegram.last(person.user_id)
    return last is not None and bool(last.inline_keyboard)


def main(settings: Settings, role: str, language: str) -> int:
    return asyncio.run(
        run_console(settings, role=role, language=language, stdin=sys.stdin, stdout=sys.stdout)
    )
