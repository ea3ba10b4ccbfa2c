"""Case work in the chat: `/register` (a walk-in or phone request), `/cases` and the case card,
opening a case (from a request or directly), `/review` (the supervisor's sign-offs), and the
overdue-case reminder's renderer (exported for `handlers.delivery`), and the offer to file a
completed request on its case (exported for the inbox)."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from handlers.cases.file_request import file_button, offer_text
from handlers.cases.overdue import render_case_overdue

__all__ = ["file_button", "offer_text", "register", "render_case_overdue"]


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Imported here: these modules import handlers.requests, which imports people (a cycle
    # if imported eagerly with the package).
    from handlers.cases import card, case_note, file_request, next_contact, open_case, walk_in

    app.add_handler(walk_in.FLOW.conversation())
    app.add_handler(open_case.FLOW.conversation())
    app.add_handler(next_contact.FLOW.conversation())
    app.add_handler(case_note.FLOW.conversation())
    app.add_handler(file_request.FLOW.conversation())
    card.register(app)
