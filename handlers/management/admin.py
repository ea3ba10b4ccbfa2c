"""Administrators invite staff (`/invite`) and look after them (`/staff`).

`/invite` is a kit `Flow` (the reference example of one; see `admin.mmd`): pick a role, pick a station
(not for administrators, who have none), and get a single-use deep link
`https://t.me/<bot>?start=<code>` valid for 72 hours. Whoever opens it gets the role
(`start.redeem`). The draft in `user_data["invite"]` is only the chosen role, so a restart between
the two steps resumes at the station step.

`/staff` is not a conversation: a station overview, then one station's staff (paged so a long
list stays under Telegram's 4096 characters), each with a Revoke button and a confirm step.
Every press re-checks that the person is still an administrator; revoking goes through
`services.staff.revoke` (audited), and the person who lost the role is told in their language.

Non-administrators get one sentence saying these commands are for administrators, and nothing
else: no names, no counts, no hint whether anyone exists.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
)

from handlers.delivery import OutgoingMessage
from handlers.kit.context import Context, Speaker, speaker
from handlers.kit.flow import END, Draft, Flow
from handlers.kit.i18n import Gettext
from handlers.kit.keyboards import choices, markup
from handlers.kit.screen import show
from handlers.kit.steps import choice_step, local_today, station_step
from handlers.kit.words import day_label, moment_label, only_for, role_label, zone_name
from handlers.people.start import refresh_commands, reply
from services import people, staff
from services.errors import Conflict, InvalidValue, NotFound
from services.people import ADMIN, STAFF_ROLES
from services.staff import StaffMember

PICK_ROLE, PICK_STATION = "role", "station"
DRAFT = "invite"
ADMINS_PAGE = "_admins"  # the /staff page of station-less roles (administrators)
PAGE_SIZE = 8
BUTTON_NAME_CHARS = 24


# --- shared ------------------------------------------------------------------------------
async def refuse(update: Update, who: Speaker) -> None:
    """The whole answer a non-administrator gets: nothing about who or what exists."""
    text = only_for(who, ADMIN)
    query = update.callback_query
    if query is not None:
        await query.answer(text, show_alert=True)
        return
    await reply(update, text)


def counted(_: Gettext, name: str, count: int) -> str:
    """A button's name and how many it holds: "江南街道社工站（4）", "Jiangnan Street (4)"."""
    return _("{name} ({count})").format(name=name, count=count)


def station_name(context: Context, code: str | None, lang: str, _: Gettext) -> str:
    if code is None:
        return _("all stations")
    station = context.bot_data.knowledge.stations.get(code)
    return station.name(lang) if station is not None else code


async def admin_speaker(update: Update, context: Context) -> Speaker | None:
    """The speaker if they are an administrator; otherwise refuse and give None. Every
    admin handler starts here, so a forwarded or stale button is re-checked on each press."""
    who = await speaker(update, context)
    if not who.access.is_admin:
        await refuse(update, who)
        return None
    return who


# --- /invite ---------------------------------------------------------------------------------
# Two steps on the kit's Flow (states "role" and "station", as persisted since the first
# release), then one confirm that calls `staff.create_invite`.
async def invite_allowed(update: Update, context: Context, who: Speaker) -> bool:
    """Re-checked on every update of /invite: a revoked administrator is refused at once."""
    if not who.access.is_admin:
        await refuse(update, who)
        return False
    return True


async def invite_begin(update: Update, context: Context, who: Speaker) -> Draft:
    return {}


ROLE_STEP = choice_step(
    PICK_ROLE,
    prefix="inv",
    key="role",
    text=lambda _, context, who, draft: _("Whom are you inviting? Choose their role:"),
    options=lambda context, who, draft: [(role_label(who.gettext, r), r) for r in STAFF_ROLES],
)
STATION_STEP = station_step(
    PICK_STATION,
    prefix="inv",
    stations=lambda context, who, draft: context.bot_data.knowledge.stations.stations,
    text=lambda _, context, who, draft: _("Role: {role}. Which station will they work for?").format(
        role=role_label(_, str(draft.get("role", "")))
    ),
    applies_when=lambda draft: draft.get("role") != ADMIN,  # administrators have no station
)


async def create(update: Update, context: Context, who: Speaker, draft: Draft) -> str | int:
    """The confirm: one service call, then the link."""
    _ = who.gettext
    data = context.bot_data
    role = draft.get("role")
    if role not in STAFF_ROLES:  # the draft is gone (e.g. /forget cleared it): start over
        return PICK_ROLE
    try:
        created = await data.use_case(
            staff.create_invite,
            role=str(role),
            station_code=None if role == ADMIN else draft.get("station"),
            station_codes=data.knowledge.stations.codes,
            created_by_tg_id=who.tg_id,
            now=data.clock.now(),
        )
    except InvalidValue:
        # A station code the catalogue no longer has (a restart with new knowledge).
        return PICK_STATION
    expires = created.expires_at.astimezone(data.clock.zone)
    link = f"https://t.me/{data.bot_username}?start={created.code}"
    lines = [
        "✉️ <b>" + _("Invitation ready") + "</b>",
        _("Role: {role}").format(role=role_label(_, created.role)),
        _("Station: {station}").format(
            station=escape(station_name(context, created.station_code, who.lang, _))
        ),
        _("Valid until {time} ({zone}); it works only once.").format(
            time=moment_label(_, expires, data.clock.zone, now=data.clock.now()),
            zone=escape(zone_name(_, data.clock.zone)),
        ),
        "",
        _("Send this link to the new staff member. Opening it gives them the role:"),
        escape(link),
    ]
    again = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("✉️ Invite someone else"), callback_data="menu:invite")]]
    )
    await show(update, "\n".join(lines), again)
    return END


INVITE = Flow(DRAFT, "inv", (ROLE_STEP, STATION_STEP), invite_begin, create, command="invite",
              allowed=invite_allowed)  # fmt: skip


def invite_conversation() -> ConversationHandler[Context]:
    return INVITE.conversation()


# --- /staff ------------------------------------------------------------------------------
def member_name(member: StaffMember, _: Gettext) -> str:
    if member.erased:
        return _("(erased)")
    return member.display_name or _("(no name)")


def member_line(member: StaffMember, _: Gettext, context: Context) -> str:
    name = escape(member_name(member, _))
    mention = f'<a href="tg://user?id={member.tg_id}">{name}</a>'
    clock = context.bot_data.clock
    since = day_label(
        _, member.granted_at.astimezone(clock.zone).date(), today=local_today(context)
    )
    return _("{name}: {role}, since {date}").format(
        name=mention, role=role_label(_, member.role), date=since
    )


def group_by_station(members: list[StaffMember]) -> dict[str, list[StaffMember]]:
    grouped: dict[str, list[StaffMember]] = {}
    for member in members:
        grouped.setdefault(member.station_code or ADMINS_PAGE, []).append(member)
    return grouped


async def load_staff(context: Context) -> list[StaffMember]:
    return await context.bot_data.use_case(staff.list_staff)


async def staff_overview(update: Update, context: Context) -> None:
    who = await admin_speaker(update, context)
    if who is None:
        return
    _ = who.gettext
    grouped = group_by_station(await load_staff(context))
    lines = ["👥 <b>" + _("Staff by station") + "</b>", ""]
    buttons = []
    for station in context.bot_data.knowledge.stations.stations:
        members = grouped.get(station.code, [])
        if not members:
            continue
        counts = " · ".join(
            f"{role_label(_, role)} {sum(1 for m in members if m.role == role)}"
            for role in STAFF_ROLES
            if any(m.role == role for m in members)
        )
        name = station.name(who.lang)
        lines.append(_("{label}: {value}").format(label=f"<b>{escape(name)}</b>", value=counts))
        buttons.append((counted(_, name, len(members)), f"staff:st:{station.code}:1"))
    admins = grouped.get(ADMINS_PAGE, [])
    settings_admins = len(context.bot_data.admin_ids)
    lines.append(
        _(
            "Administrators: {invited} with the role, {configured} in the settings (STATIONBOT_ADMINS)."
        ).format(invited=len(admins), configured=settings_admins)
    )
    if admins:
        buttons.append((counted(_, _("Administrators"), len(admins)), f"staff:st:{ADMINS_PAGE}:1"))
    unknown = [code for code in grouped if code != ADMINS_PAGE and code not in _known(context)]
    for code in unknown:  # roles at a station the catalogue no longer lists: still revocable
        buttons.append((counted(_, code, len(grouped[code])), f"staff:st:{code}:1"))
    lines.append("")
    if buttons:
        lines.append(_("Choose a station to see its staff or revoke a role."))
    else:
        lines.append(_("No staff yet. Use /invite to invite the first ones."))
    await reply(update, "\n".join(lines), InlineKeyboardMarkup(choices(buttons)))


def _known(context: Context) -> set[str]:
    return set(context.bot_data.knowledge.stations.codes)


STATION_PAGE = re.compile(r"^staff:st:([A-Za-z0-9_-]+):(\d{1,4})$")


async def staff_station(update: Update, context: Context) -> None:
    who = await admin_speaker(update, context)
    if who is None:
        return
    query = update.callback_query
    assert query is not None and query.data is not None
    match = STATION_PAGE.match(query.data)
    assert match is not None
    await show_station(update, context, who, match.group(1), int(match.group(2)))


async def show_station(
    update: Update, context: Context, who: Speaker, code: str, page: int, notice: str = ""
) -> None:
    _ = who.gettext
    members = group_by_station(await load_staff(context)).get(code, [])
    title = _("Administrators") if code == ADMINS_PAGE else station_name(context, code, who.lang, _)
    pages = max(1, -(-len(members) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = members[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    lines = [notice, ""] if notice else []
    lines.append("👥 <b>" + escape(title) + "</b>")
    if pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=page, pages=pages))
    if not shown:
        lines.append(_("Nobody holds a role here any more."))
    for number, member in enumerate(shown, start=(page - 1) * PAGE_SIZE + 1):
        lines.append(f"{number}. " + member_line(member, _, context))
    rows = [
        [
            InlineKeyboardButton(
                _("🚫 Revoke {number}: {name}").format(
                    number=number, name=_short(member_name(member, _))
                ),
                callback_data=f"staff:rev:{member.role_id}",
            )
        ]
        for number, member in enumerate(shown, start=(page - 1) * PAGE_SIZE + 1)
    ]
    paging = []
    if page > 1:
        paging.append(
            InlineKeyboardButton(_("‹ Previous"), callback_data=f"staff:st:{code}:{page - 1}")
        )
    if page < pages:
        paging.append(
            InlineKeyboardButton(_("Next ›"), callback_data=f"staff:st:{code}:{page + 1}")
        )
    rows.append(paging)
    rows.append([InlineKeyboardButton(_("« All stations"), callback_data="staff:list")])
    await reply(update, "\n".join(lines), markup(rows))


def _short(name: str) -> str:
    return name if len(name) <= BUTTON_NAME_CHARS else name[: BUTTON_NAME_CHARS - 1] + "…"


REVOKE = re.compile(r"^staff:rev:(\d{1,12})(:yes)?$")


def _back_to(member: StaffMember) -> str:
    return f"staff:st:{member.station_code or ADMINS_PAGE}:1"


async def revoke_pressed(update: Update, context: Context) -> None:
    """`staff:rev:<id>` asks to confirm; `staff:rev:<id>:yes` revokes. Admin re-checked each time."""
    who = await admin_speaker(update, context)
    if who is None:
        return
    _ = who.gettext
    query = update.callback_query
    assert query is not None and query.data is not None
    match = REVOKE.match(query.data)
    assert match is not None
    role_id, confirmed = int(match.group(1)), bool(match.group(2))
    data = context.bot_data
    try:
        member = await data.use_case(staff.staff_role, role_id=role_id)
    except NotFound:
        await query.answer(_("This role no longer exists."), show_alert=True)
        return
    if not member.active:
        await already_revoked(update, context, who, member)
        return
    where = escape(station_name(context, member.station_code, who.lang, _))
    name = escape(member_name(member, _))
    if not confirmed:
        text = _("Revoke the role {role} at {station} from {name}?").format(
            role=role_label(_, member.role), station=where, name=name
        )
        keyboard = markup(
            [
                [
                    InlineKeyboardButton(
                        _("🚫 Yes, revoke"), callback_data=f"staff:rev:{role_id}:yes"
                    )
                ],
                [InlineKeyboardButton(_("« No, keep it"), callback_data=_back_to(member))],
            ]
        )
        await reply(update, text, keyboard)
        return
    try:
        member = await data.use_case(
            staff.revoke, role_id=role_id, actor_tg_id=who.tg_id, now=data.clock.now()
        )
    except Conflict:  # someone (or this same double press) revoked it a moment ago
        await already_revoked(update, context, who, member)
        return
    except NotFound:
        await query.answer(_("This role no longer exists."), show_alert=True)
        return
    await tell_revoked_person(context, member)
    await refresh_commands(context, member.tg_id)  # their "/" menu loses the role's commands
    notice = _("Done: {name} is no longer {role} at {station}.").format(
        name=name, role=role_label(_, member.role), station=where
    )
    await show_station(update, context, who, member.station_code or ADMINS_PAGE, 1, notice)


async def already_revoked(
    update: Update, context: Context, who: Speaker, member: StaffMember
) -> None:
    _ = who.gettext
    query = update.callback_query
    assert query is not None
    text = _("This role was already revoked; nothing changed.")
    await query.answer(text, show_alert=True)
    try:
        await query.edit_message_text(
            text,
            reply_markup=markup(
                [[InlineKeyboardButton(_("« Back"), callback_data=_back_to(member))]]
            ),
        )
    except Exception:  # noqa: BLE001 - the message already says this ("not modified")
        pass


async def tell_revoked_person(context: Context, member: StaffMember) -> None:
    data = context.bot_data
    async with data.uow() as uow:
        language = (await people.languages_of(uow, [member.tg_id]))[member.tg_id]
    _ = data.translator.for_language(language)
    text = _("Your role {role} at {station} has ended. Thank you for your work!").format(
        role=role_label(_, member.role),
        station=escape(station_name(context, member.station_code, language, _)),
    )
    await data.outbox.send(OutgoingMessage(member.tg_id, text))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(invite_conversation())
    app.add_handler(CommandHandler("staff", staff_overview))
    app.add_handler(CallbackQueryHandler(staff_overview, pattern=r"^(menu:staff|staff:list)$"))
    app.add_handler(CallbackQueryHandler(staff_station, pattern=STATION_PAGE))
    app.add_handler(CallbackQueryHandler(revoke_pressed, pattern=REVOKE))
