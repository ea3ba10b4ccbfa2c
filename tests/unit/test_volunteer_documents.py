"""The volunteer's certificate (issued, rendered as a Chinese PDF, verified by its code, also
from `stationbot verify`) and the station's poster (its QR codes decode to the right links)."""

from __future__ import annotations

import argparse
import io
from datetime import timedelta
from pathlib import Path

import pytest

from bot.commands import verify as verify_command
from bot.settings import load_settings
from db.uow import Database
from handlers.documents import station_poster
from handlers.documents.volunteer_certificate import certificate_pdf
from handlers.kit.i18n import Translator
from knowledge.deep_links import StationLink, parse_payload
from services import privacy
from services import volunteer_activities as va
from services import volunteer_certificates as vc
from services.errors import NotFound
from services.people import Access
from tests.unit.test_request_lifecycle import person
from tests.unit.test_volunteer_activities import END, NOW, START, Z, links, publish, scan
from tests.unit.test_volunteer_activities import volunteer as make_volunteer

pypdf = pytest.importorskip("pypdf")
zxingcpp = pytest.importorskip("zxingcpp")
ZH = Translator().for_language("zh")
LATER = END + timedelta(days=1)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    # fpdf2 embeds its own Identity encoding CMap, which pypdf reads as one-byte codes: each
    # two-byte glyph code comes out as NUL + character. The ToUnicode map itself is right.
    text = "".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    return "".join(text.split())


async def served(database: Database, worker: Access, who: Access, minutes_after: int) -> None:
    """`who` checks in at the start and out `minutes_after` later; the worker confirms."""
    activity = (await publish(database, worker)).activity
    qr = await links(database, worker, activity.id)
    await scan(database, qr.volunteer_payload, who, START)
    await scan(database, qr.volunteer_payload, who, START + timedelta(minutes=minutes_after))
    async with database.uow() as uow:
        await va.confirm_hours(
            uow, actor_tg_id=worker.tg_id, activity_id=activity.id, signup_ids=None, now=LATER
        )


@pytest.fixture
async def worker(database: Database) -> Access:
    return await person(database, NOW, role="worker", station="jiangnan", name="李社工")


async def test_certificate_pdf_in_chinese_and_verified(database: Database, worker: Access) -> None:
    who = await make_volunteer(database, name="王小明")
    async with database.uow() as uow:
        with pytest.raises(vc.NoConfirmedHours):
            await vc.issue_certificate(
                uow, volunteer_tg_id=who.tg_id, year=None, station_code=None, now=LATER, zone=Z
            )
    await served(database, worker, who, 150)  # 2.5 h
    await served(database, worker, who, 61)  # 1 h
    async with database.uow() as uow:
        certificate = await vc.issue_certificate(
            uow, volunteer_tg_id=who.tg_id, year=2026, station_code=None, now=LATER, zone=Z
        )
    assert (certificate.minutes, len(certificate.activities)) == (210, 2)
    assert certificate.station_code == "jiangnan" and not certificate.minor
    async with database.uow() as uow:  # the same figures: the same certificate
        again = await vc.issue_certificate(
            uow, volunteer_tg_id=who.tg_id, year=2026, station_code=None, now=LATER, zone=Z
        )
    assert again.code == certificate.code

    data = certificate_pdf(certificate, station_name="江南街道社工站", _=ZH, zone=Z)
    text = pdf_text(data)
    for expected in (
        "志愿服务证明",
        "志愿者：王小明",
        "共计3.5小时",
        "2026年11月21日",
        "记录与出具单位：江南街道社工站",
        f"验证码：{certificate.display_code}",
        "重阳敬老义剪",
    ):
        assert expected in text, expected

    async with database.uow() as uow:
        checked = await vc.verify_certificate(uow, code=certificate.display_code.lower())
    assert checked.valid and checked.holder_name == "王小明" and checked.minutes == 210
    async with database.uow() as uow:
        with pytest.raises(NotFound):
            await vc.verify_certificate(uow, code="ABCD-EFGH-JKLM")

    async with database.uow() as uow:  # /mydata lists it, /forget blanks the names on it
        document = await privacy.export(uow, tg_id=who.tg_id, now=LATER)
    assert [c["code"] for c in document["hours_certificates"]] == [certificate.code]
    assert len(document["volunteer_signups"]) == 2
    async with database.uow() as uow:
        await privacy.erase(uow, tg_id=who.tg_id, now=LATER)
    async with database.uow() as uow:
        erased = await vc.verify_certificate(uow, code=certificate.code)
    assert erased.valid and erased.holder_name is None and erased.minutes == 210


async def test_a_minors_certificate_names_the_guardian(database: Database, worker: Access) -> None:
    minor = await make_volunteer(database, name="小红", age_group="14_17")
    activity = (await publish(database, worker, minors_allowed=True)).activity
    qr = await links(database, worker, activity.id)
    await scan(database, qr.volunteer_payload, minor, START)
    await scan(database, qr.volunteer_payload, minor, START + timedelta(hours=1))
    async with database.uow() as uow:
        await va.confirm_hours(
            uow, actor_tg_id=worker.tg_id, activity_id=activity.id, signup_ids=None, now=LATER
        )
    async with database.uow() as uow:
        certificate = await vc.issue_certificate(
            uow, volunteer_tg_id=minor.tg_id, year=None, station_code="jiangnan", now=LATER,
            zone=Z,
        )  # fmt: skip
    assert certificate.minor and certificate.guardian_name == "王妈妈"
    text = pdf_text(certificate_pdf(certificate, station_name="江南街道社工站", _=ZH, zone=Z))
    assert "监护人：王妈妈" in text and "全部志愿服务" in text


async def test_stationbot_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    from bot.runtime import knowledge_for, open_database
    from services.stations import sync_stations

    database = await open_database(settings)
    try:
        async with database.uow() as uow:
            await sync_stations(uow, knowledge_for(settings).stations)
        worker = await person(database, NOW, role="worker", station="jiangnan")
        who = await make_volunteer(database, name="王小明")
        await served(database, worker, who, 120)
        async with database.uow() as uow:
            certificate = await vc.issue_certificate(
                uow, volunteer_tg_id=who.tg_id, year=None, station_code=None, now=LATER, zone=Z
            )
    finally:
        await database.dispose()
    status = await verify_command.main(settings, argparse.Namespace(code=certificate.display_code))
    out = capsys.readouterr().out
    assert status == 0
    assert f"VALID: certificate {certificate.display_code}" in out
    assert "holder: 王小明" in out and "hours: 2 " in out and "江南街道社工站" in out
    status = await verify_command.main(settings, argparse.Namespace(code="ZZZZ-ZZZZ-ZZZZ"))
    assert status == 1 and "NOT VALID" in capsys.readouterr().out


def test_poster_qr_codes_decode_to_the_station_deep_links() -> None:
    from PIL import Image

    poster = station_poster.poster_for(
        "jiangnan", "江南街道社工站", bot_username="stationbot_offline_bot", _=ZH
    )
    png = station_poster.poster_png(poster)
    image = Image.open(io.BytesIO(png))
    assert image.size == (1240, 1754)  # A4 at 150 dpi
    decoded = sorted(r.text for r in zxingcpp.read_barcodes(image))
    expected = sorted(
        f"https://t.me/stationbot_offline_bot?start=stn-jiangnan-{action}"
        for action in ("ask", "req", "vol")
    )
    assert decoded == expected
    for url in decoded:
        payload = url.split("start=", 1)[1]
        assert len(payload) <= 64
        assert isinstance(parse_payload(payload), StationLink)
    text = pdf_text(station_poster.poster_pdf(poster))
    assert "江南街道社工站" in text and "当志愿者" in text and "申请服务" in text


def test_deep_link_payloads_parse_back() -> None:
    assert parse_payload("stn-jiangnan-req") == StationLink("jiangnan", "req")
    for payload in ("stn-jiang-nan-req", "stn--ask", "stn-jiangnan-xyz", "a" * 32, "start"):
        assert parse_payload(payload) is None


def test_stationbot_poster_writes_png_and_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    assert main(["poster", "--station", "jiangnan", "--out", str(tmp_path),
                 "--bot-username", "jiangnan_station_bot"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "vol: https://t.me/jiangnan_station_bot?start=stn-jiangnan-vol" in out
    assert (tmp_path / "poster-jiangnan.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "poster-jiangnan.pdf").read_bytes().startswith(b"%PDF")
    assert main(["poster", "--station", "atlantis", "--out", str(tmp_path)]) == 2
