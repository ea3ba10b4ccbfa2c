"""A photo or a file with words under it where words are asked for (edges8): the words are
the answer, and the person is told the picture itself is not passed on."""

from __future__ import annotations

from typing import Any

import pytest

from bot.offline_telegram import OfflinePerson
from tests.bot.test_phone_step import to_the_phone
from tests.bot.test_requests import consent
from tests.harness import BotHarness

TAKEN = {
    "en": "I cannot pass on photos or files here, so I have taken the words you wrote with it.",
    "zh": "这里不能转交照片或文件，所以我记下了您附在上面的文字。",
}
CAPTION = "屋顶漏水 <b>很严重</b> & 老人一个人住"


async def send_with_caption(person: OfflinePerson, caption: str, kind: str) -> None:
    content: dict[str, Any] = {"caption": caption}
    if kind == "photo":
        content["photo"] = [{"file_id": "p9", "file_unique_id": "up9", "width": 90, "height": 90}]
    else:
        content["document"] = {"file_id": "d9", "file_unique_id": "ud9", "file_name": "roof.pdf"}
    await person._feed({"message": person._message(**content)})


@pytest.mark.parametrize(("lang", "kind"), [("zh", "photo"), ("en", "document")])
async def test_a_captioned_photo_at_the_description_step_gives_the_description(
    bot: BotHarness, lang: str, kind: str
) -> None:
    resident = await to_the_phone(bot, lang)
    await resident.tap("« ")  # back to the description step, to send it with a picture
    seen = len(resident.messages)
    await send_with_caption(resident, CAPTION, kind)
    said = [m.text for m in resident.messages[seen:]]
    assert said[0] == TAKEN[lang]
    assert any(b.request_contact for b in resident.reply_keyboard())  # on to the phone step
    await resident.send("13800138000")
    await resident.press("req:time:any")
    await resident.press("req:urg:no")
    assert CAPTION in resident.last_text  # the summary, as written


async def test_a_captioned_photo_at_a_button_step_is_still_asked_again(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/request")
    await consent(resident)
    await send_with_caption(resident, "Jiangnan please", "photo")
    assert resident.last_text.startswith("Please choose one of the buttons.")
