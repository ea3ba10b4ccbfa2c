"""Left for /report, /broadcast and /evaluation until they move onto the Flow: their two draft
helpers, which now live in `kit.context`. Delete this file when handlers/management/ no longer
imports it (the request journeys, which it was written for, are on the Flow)."""

from handlers.kit.context import clear_draft as clear_draft
from handlers.kit.context import draft_in as draft_in

__all__ = ["clear_draft", "draft_in"]
