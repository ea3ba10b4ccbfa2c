"""Everyone's first steps: /start (with an invite code), /menu, /help, /language, /privacy,
/cancel outside a conversation, and what to say to anything nobody else handled."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import partial
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    Bot,
    CallbackQuery,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers.kit import consent
from handlers.kit.context import BotData, Context, Speaker, speaker
from handlers.kit.flow import (
    discard_kept,
    open_elsewhere,
    put_aside_forms,
    reshow_current,
    reshow_form,
)
from handlers.kit.i18n import N_, Gettext
from handlers.kit.screen import answer_press, drop_buttons, send, show
from handlers.kit.wiring import add_all, command_and_button
from handlers.kit.words import role_label
from handlers.people.menu import commands_for, main_menu, role_keys, set_chat_commands
from knowledge.deep_links import looks_like_ours
from knowledge.forms_of_address import FormsOfAddress
from services import delivery, people, reach, staff
from services.errors import (
    InviteAlreadyHeld,
    InviteExpired,
    InviteThrottled,
    InviteUnknown,
    InviteUsed,
)
from services.people import ADMIN, STATION_HEAD, SUPERVISOR, WORKER, Access


def zone_note(_: Gettext, zone: ZoneInfo) -> str:
    """The "(Beijing time)" note after a time of day when the bot runs on Asia/Shanghai."""
    return _(" (Beijing time)") if zone.key == "Asia/Shanghai" else ""


MENU_QUESTION = N_("What would you like to do? Choose below, or just type your question.")
START_PAYLOADS = "start_payloads"  # bot_data.extras: openers of /start payloads, tried in order
NOT_OUR_LINK = N_(
    "This QR code or poster link does not work: it may be damaged or out of date. Please scan "
    "it again, or ask the station. Here is what I can do:"
)


def back_to_menu(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(_("🏠 Menu"), callback_data="menu:menu")]])


async def reply(
    update: Update,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
    *,
    menu_button: Gettext | None = None,
) -> None:
    """Answer in the chat the update came from: edit the pressed message, or send a new one.

    A menu button pressed turns the menu into the answer, so `menu_button` (a gettext) puts a
    way back under it; typed commands leave the chat's earlier menu where it was.
    """
    query = update.callback_query
    if query is not None and query.message is not None and menu_button is not None:
        rows = list(reply_markup.inline_keyboard) if reply_markup else []
        reply_markup = InlineKeyboardMarkup([*rows, *back_to_menu(menu_button).inline_keyboard])
    await show(update, text, reply_markup)


async def send_menu(
    update: Update, context: Context, who: Speaker, intro: str | None = None
) -> None:
    _ = who.gettext
    text = intro or _(MENU_QUESTION)
    await send(update, text, main_menu(_, who.access, context.bot_data.available_commands))


async def start(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    code = context.args[0] if context.args else None
    if code:
        # Other journeys' deep links first (`handlers.activities`: QR scans, station posters);
        # each opener returns False for a payload that is not its own.
        for opener in context.bot_data.extras.get(START_PAYLOADS, ()):
            if await opener(update, context, who, code):
                return
        if looks_like_ours(code):  # a damaged QR, an old poster: not a wrong invitation
            await send_menu(update, context, who, _(NOT_OUR_LINK))
            return
        await redeem(update, context, who, code)
        return
    name = escape(update.effective_user.first_name if update.effective_user else "")
    intro = greeting(_, who.access, name, context.bot_data.knowledge.forms_of_address)
    await send_menu(update, context, who, await forms_aside(update, context, who, intro))


async def forms_aside(
    update: Update, context: Context, who: Speaker, intro: str | None
) -> str | None:
    """`intro`, under a line saying which form mid-way was put aside (`put_aside_forms`) and
    how to continue it; at a step with its own keyboard that line takes the keyboard away."""
    _ = who.gettext
    for flow, step in put_aside_forms(update, context):
        note = flow.kept_note(_)
        if step.leave is not None:
            await step.leave(update, context, who, note)
            continue
        intro = note + "\n\n" + (intro or _(MENU_QUESTION))
    return intro


# How staff are addressed in a greeting: "李社工，您好！". Not when the name is not Chinese or
# already ends with a title (`knowledge.forms_of_address`), where the name is enough.
ADDRESSED = {
    WORKER: N_("{name}, addressed as a social worker"),
    SUPERVISOR: N_("{name}, addressed as a supervisor"),
    STATION_HEAD: N_("{name}, addressed as a station head"),
}


def addressed(_: Gettext, role: str, name: str, forms: FormsOfAddress) -> str:
    if role not in ADDRESSED or not forms.takes_title(name):
        return name
    return _(ADDRESSED[role]).format(name=name)


def greeting(_: Gettext, access: Access, name: str, forms: FormsOfAddress) -> str:
    """What this person can do here, by their most encompassing role (staff are residents too,
    but a worker opening the bot wants their work, not the resident's welcome)."""
    roles = access.roles
    for role in (STATION_HEAD, WORKER, SUPERVISOR):
        if role in roles and ADMIN not in roles:
            name = addressed(_, role, name, forms)
            break
    if ADMIN in roles:
        return _(
            "Hello, {name}! Here you can see all stations' figures, invite and manage staff, "
            "send broadcasts, and prepare reports and the yearly evaluation."
        ).format(name=name)
    if STATION_HEAD in roles:
        return _(
            "Hello, {name}! Here you can see your station's requests and questions, send "
            "broadcasts, follow the supervision quota, and see your station's figures."
        ).format(name=name)
    if WORKER in roles:
        return _(
            "Hello, {name}! Here you can take requests, log service records, and see your "
            "station's figures."
        ).format(name=name)
    if SUPERVISOR in roles:
        return _(
            "Hello, {name}! Here you can log supervision sessions, review case records, and "
            "follow your supervision quota."
        ).format(name=name)
    return _(
        "Hello, {name}! I am the assistant of your township social work station. "
        "I can answer questions at any hour, pass your request to a social worker, "
        "and sign you up as a volunteer."
    ).format(name=name)


async def set_staff_commands(bot: Bot, data: BotData) -> int:
    """At start: every reachable staff member's own "/" menu (roles granted while the bot was
    down, a new release's commands). Returns how many chats were set.

    Reachable as the database knows it (`reach.reachable_among`: wrote to the bot, not known
    to have blocked it): Telegram refuses a chat scope for a chat that never wrote ("chat not
    found"), so a colleague named in STATIONBOT_ADMINS or invited but silent is not called. One
    Telegram says has blocked the bot is marked unreachable here, so the next start, and every
    notification, skips them until they write again."""
    async with data.uow() as uow:
        members = [m for m in await staff.list_staff(uow) if m.active]
        ids = {m.tg_id for m in members} | set(data.admin_ids)
        reachable = sorted(await reach.reachable_among(uow, ids))
    done = 0
    for tg_id in reachable:
        access = await data.use_case(
            people.access_for, tg_id=tg_id, now=data.clock.now(), admin_ids=data.admin_ids
        )
        blocked = partial(
            data.use_case, delivery.mark_unreachable, tg_id=tg_id, now=data.clock.now()
        )
        if access.is_staff and await set_chat_commands(
            bot, data.translator, access, data.available_commands, blocked=blocked
        ):
            done += 1
    return done


async def refresh_commands(context: Context, tg_id: int) -> bool:
    """Set this person's own "/" menu after their roles changed (a grant, a revoke); a person
    who never started the bot (or blocked it) is not called. True when Telegram took it."""
    data = context.bot_data
    async with data.uow() as uow:
        if not await reach.reachable_among(uow, [tg_id]):
            return False
        access = await people.access_for(
            uow, tg_id=tg_id, now=data.clock.now(), admin_ids=data.admin_ids
        )
    return await set_chat_commands(context.bot, data.translator, access, data.available_commands)


ALREADY_HELD = {
    "worker": N_("You already are a social worker of {station}."),
    "supervisor": N_("You already are a supervisor of {station}."),
    "station_head": N_("You already are the station head of {station}."),
    "admin": N_("You already are an administrator."),
}


def already_held_text(context: Context, who: Speaker, held: InviteAlreadyHeld) -> str:
    """An invitation to a role the person holds: said plainly, and what became of the link."""
    _ = who.gettext
    station = context.bot_data.knowledge.stations.get(held.station_code or "")
    name = escape(station.name(who.lang)) if station is not None else ""
    first = _(ALREADY_HELD.get(held.role, ALREADY_HELD["worker"])).format(station=name)
    then = (
        _("Nothing changed, and the link still works for the person it was meant for.")
        if held.still_open
        else _("Nothing changed.")
    )
    return first + ("" if first.endswith("。") else " ") + then  # no space after 。


async def redeem(update: Update, context: Context, who: Speaker, code: str) -> None:
    _ = who.gettext
    data = context.bot_data
    grant = None
    problem = None
    try:
        grant = await data.use_case(
            staff.redeem_invite, code=code, tg_id=who.tg_id, now=data.clock.now()
        )
    except InviteAlreadyHeld as held:
        problem = already_held_text(context, who, held)
    except InviteUnknown:
        problem = _(
            "This invitation link is not valid. Please ask your administrator for a new one."
        )
    except InviteUsed:
        problem = _(
            "This invitation has already been used. Each link works only once; please ask for a new one."
        )
    except InviteExpired:
        problem = _("This invitation has expired. Please ask your administrator for a new one.")
    except InviteThrottled as throttled:
        local = throttled.until.astimezone(data.clock.zone)
        problem = _(
            "Too many invitation codes were wrong. For your safety I will not check another "
            "one until {time}. If your link does not work, please ask your administrator for a new one."
        ).format(time=local.strftime("%H:%M") + zone_note(_, data.clock.zone))
    if grant is None:
        await send_menu(update, context, who, problem)
        return
    context.forget_person()  # roles changed
    who = await context.person(update)
    await set_chat_commands(context.bot, data.translator, who.access, data.available_commands)
    station = data.knowledge.stations.get(grant.station_code) if grant.station_code else None
    if station is not None:
        text = _("Welcome! Your new role: {role}, {station}.").format(
            role=role_label(_, grant.role), station=escape(station.name(who.lang))
        )
    else:
        text = _("Welcome! Your new role: {role}.").format(role=role_label(_, grant.role))
    await send_menu(update, context, who, text)


async def menu(update: Update, context: Context) -> None:
    who = await context.person(update)
    await answer_press(update)
    intro = None
    if who.access.is_staff:  # staff hear what they can do here; residents the plain menu
        user = update.effective_user
        name = escape(user.first_name if user else "")
        intro = greeting(who.gettext, who.access, name, context.bot_data.knowledge.forms_of_address)
    await send_menu(update, context, who, await forms_aside(update, context, who, intro))


async def help_command(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    lines = [_("Here is what I can do for you:")]
    for command in commands_for(role_keys(who.access), context.bot_data.available_commands):
        if command.name == "start":
            continue
        lines.append(f"/{command.name} — {_(command.description)}")
    lines.append("")
    lines.append(_("You can also just type a question in your own words."))
    lines.append(
        _(
            "In an emergency call 110 (police) or 120 (ambulance); for children, the 12355 youth hotline."
        )
    )
    text = "\n".join(lines)  # it invites a question: a form mid-way is put aside first
    await reply(update, await forms_aside(update, context, who, text) or text, menu_button=_)


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("中文", callback_data="lang:zh"),
          InlineKeyboardButton("English", callback_data="lang:en")]]
    )  # fmt: skip


# `/language en`, `/language 中文`: the language named after the command, chosen at once.
LANGUAGE_NAMES = {"zh": "zh", "cn": "zh", "中文": "zh", "chinese": "zh", "汉语": "zh",
                  "en": "en", "english": "en", "英文": "en", "英语": "en"}  # fmt: skip


async def language(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    named = LANGUAGE_NAMES.get(" ".join(context.args or ()).strip().casefold())
    if named is not None:
        await switch_language(update, context, named)
        return
    await reply(update, _("Choose your language:"), language_keyboard())


async def language_chosen(update: Update, context: Context) -> None:
    """lang:<code>, the codec's `prefix:kind` (the language is the kind)."""
    query = update.callback_query
    press = context.press(update)
    assert query is not None
    chosen = press.kind if press is not None else None
    if chosen not in people.LANGUAGES:
        await query.answer()
        return
    await switch_language(update, context, chosen)


async def switch_language(update: Update, context: Context, chosen: str) -> None:
    """Speak `chosen` from now on (a press of the chooser, or `/language en`)."""
    data = context.bot_data
    user = update.effective_user
    assert user is not None
    await data.use_case(people.set_language, tg_id=user.id, language=chosen, now=data.clock.now())
    context.forget_person()  # the language changed
    who = await context.person(update)
    if who.access.is_staff:  # their own "/" menu is in their language too
        await set_chat_commands(context.bot, data.translator, who.access, data.available_commands)
    _ = who.gettext
    await show(update, _("From now on I will speak English."))
    # Mid-form (/language typed at a step): the step again, now in this language, the answers
    # kept, rather than the menu, which would leave the form out of sight.
    if not await reshow_form(update, context):
        await send_menu(update, context, who)


async def privacy(update: Update, context: Context) -> None:
    who = await context.person(update)
    markup = await consent.privacy_markup(context, who)
    await reply(update, privacy_notice(who.gettext), markup, menu_button=who.gettext)


def privacy_notice(_: Gettext) -> str:
    return "\n\n".join(
        [
            "<b>" + _("Privacy notice") + "</b>",
            _(
                "What we store: your Telegram id and language; and, only when you make a request or "
                "sign up as a volunteer and agree to this notice, your name, phone number and what "
                "you tell us about the help you need."
            ),
            _(
                "Why: so that a social worker of your station can help you and the station can "
                "report how many people it served (as anonymous counts)."
            ),
            _(
                "Who sees it: only the social workers and the head of the station you chose. "
                "Supervisors and the civil affairs bureau see anonymous figures only."
            ),
            _(
                "How long: while your request is open and for up to 3 years after it is closed, as "
                "the station's records require; then it is erased."
            ),
            _(
                "Your rights: /mydata sends you everything we hold about you; /forget erases your "
                "personal details; you can withdraw your consent at any time here."
            ),
            _(
                "Please note: messages to this bot pass through Telegram's servers, which are "
                "outside mainland China."
            ),
        ]
    )


def menu_under(sentence: str) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """A handler that answers with the menu under `sentence` (an `N_()` msgid)."""

    async def answer(update: Update, context: Context) -> None:
        who = await context.person(update)
        await send_menu(update, context, who, who.gettext(sentence))

    return answer


NOTHING_TO_CANCEL = N_("There is nothing to cancel. What would you like to do?")
KEPT_DISCARDED = N_(
    "Cancelled: the unfinished form you had put aside is discarded. What would you like to do?"
)


async def cancel_outside(update: Update, context: Context) -> None:
    """/cancel in no flow: a form put aside earlier is what the person means to cancel (it had
    said "nothing to cancel", and the form's command then offered to continue it)."""
    who = await context.person(update)
    said = KEPT_DISCARDED if discard_kept(context) else NOTHING_TO_CANCEL
    await send_menu(update, context, who, who.gettext(said))


def _is_on_the_message(query: CallbackQuery) -> bool:
    """The pressed data is one of the message's buttons as it is now. Data that is not (forged,
    or from an earlier keyboard of a message edited since) says nothing about the buttons it
    has now, which may still be good (a rating's stars): they stay."""
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None
    if markup is None:
        return False
    return any(b.callback_data == query.data for row in markup.inline_keyboard for b in row)


async def expired_button(update: Update, context: Context) -> None:
    """A press no handler took. Mid-way in a conversation (its persisted step, or its kept
    draft after the state was lost): that step again, with its buttons. In none: say so, take
    the old keyboard away and give the menu. Nothing changes either way."""
    if await reshow_current(update, context):
        return
    who = await context.person(update)
    _ = who.gettext
    query = update.callback_query
    assert query is not None
    if open_elsewhere(update, context):  # mid-way in a conversation not on the Flow yet
        await query.answer(
            _(
                "This button belongs to an earlier screen. Please use the buttons of the step "
                "you are on, or send /cancel to stop."
            ),
            show_alert=True,
        )
        return
    await query.answer(_("This button has expired. Please start again from the menu."))
    if _is_on_the_message(query):
        try:
            await drop_buttons(update)
        except TelegramError:  # the message may be too old to edit; nothing is lost
            pass
    await send_menu(
        update,
        context,
        who,
        _("That conversation is over, so this button no longer works. What would you like to do?"),
    )


unknown_command = menu_under(N_("I don't know that command. Here is what I can do:"))
# A photo, sticker, voice message… outside any conversation.
not_understood = menu_under(
    N_("Sorry, I can only read text messages. Please type your question, or choose below.")
)


async def only_private_chats(update: Update, context: Context) -> None:
    """Personal data must never be asked for or shown in a group: point people to a private chat."""
    chat = update.effective_chat
    if chat is None or chat.type == chat.PRIVATE or update.my_chat_member is not None:
        return
    message = update.effective_message
    command = message.text.split()[0] if message is not None and message.text else ""
    addressee = command.partition("@")[2]
    for_us = not addressee or addressee.lower() == (context.bot.username or "").lower()
    if message is not None and command.startswith("/") and for_us:  # not "/start@otherbot"
        _ = context.bot_data.translator.for_language(
            people.language_from_telegram(
                update.effective_user.language_code if update.effective_user else None
            )
        )
        await message.reply_text(
            _("To protect your privacy I only talk in private chats. Please write to me directly.")
        )
    raise ApplicationHandlerStop


async def edited_message(update: Update, context: Context) -> None:
    """Conversations read new messages only; say so rather than silently ignore the edit."""
    who = await context.person(update)
    _ = who.gettext
    message = update.edited_message
    if message is not None:
        await message.reply_text(
            _("I only read new messages, not edits. If something changed, please send it again.")
        )
    raise ApplicationHandlerStop


async def membership_changed(update: Update, context: Context) -> None:
    """Blocking the bot arrives as our membership becoming "kicked": stop sending to them."""
    change = update.my_chat_member
    if change is None or change.chat.type != change.chat.PRIVATE:
        return
    data = context.bot_data
    if change.new_chat_member.status == ChatMember.BANNED:
        await data.use_case(delivery.mark_unreachable, tg_id=change.chat.id, now=data.clock.now())
    elif change.new_chat_member.status == ChatMember.MEMBER:
        await speaker(update, context)  # writing to us again clears "unreachable"


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(TypeHandler(Update, only_private_chats), group=-2)
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, edited_message), group=-1)
    app.add_handler(ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(CommandHandler("start", start))
    for command, callback in (
        ("menu", menu),
        ("help", help_command),
        ("language", language),
        ("privacy", privacy),
    ):
        add_all(app, command_and_button(command, callback))
    app.add_handler(CallbackQueryHandler(language_chosen, pattern=r"^lang:"))


async def free_text(update: Update, context: Context) -> None:
    """Text nobody claimed: what `questions` registered makes of it (a question)."""
    await context.bot_data.on_free_text(update, context)


def register_fallbacks(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Registered last: whatever no journey claimed. Free text is a question."""
    app.add_handler(CommandHandler("cancel", cancel_outside))
    app.add_handler(CallbackQueryHandler(expired_button))
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, free_text))

    app.add_handler(MessageHandler(filters.ALL, not_understood))
