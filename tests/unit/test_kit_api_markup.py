"""`keyboards.api_markup`: the keyboard `show` sends is exactly what PTB's `to_dict` gives."""

from __future__ import annotations

import json

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    WebAppInfo,
)

from handlers.kit.keyboards import api_markup, button


def _same(markup: InlineKeyboardMarkup | ReplyKeyboardMarkup) -> None:
    built = api_markup(markup)
    assert built == markup.to_dict()
    assert json.loads(json.dumps(built)) == json.loads(markup.to_json())


def test_plain_buttons_are_built_directly_and_match_to_dict() -> None:
    _same(
        InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("社区 A", callback_data="req:st:a")],
                [
                    InlineKeyboardButton("« Back", callback_data="req:back"),
                    InlineKeyboardButton("✖ Cancel", callback_data="req:cancel"),
                ],
            ]
        )
    )


def test_buttons_with_more_than_label_and_data_keep_everything() -> None:
    url = InlineKeyboardButton("Open", url="https://example.org")
    app = InlineKeyboardButton("App", web_app=WebAppInfo("https://example.org/app"))
    extra = InlineKeyboardButton("x", callback_data="a:b", api_kwargs={"style": "primary"})
    markup = InlineKeyboardMarkup([[url, app], [extra]])
    _same(markup)
    assert api_markup(markup)["inline_keyboard"][0][0] == {
        "text": "Open",
        "url": "https://example.org",
    }


def test_other_markups_go_through_to_dict() -> None:
    _same(ReplyKeyboardMarkup([[KeyboardButton("Share my number", request_contact=True)]]))
    _same(InlineKeyboardMarkup([]))


def test_a_button_is_made_once_for_its_label_and_data() -> None:
    first = button("社区 A", "req:st:a")
    assert first is button("社区 A", "req:st:a")
    assert first == InlineKeyboardButton("社区 A", callback_data="req:st:a")
    assert button("社区 B", "req:st:a") is not first
