"""Starting the pieces every command needs: settings, knowledge, database, migrations."""

from __future__ import annotations

from pathlib import Path

from bot.settings import Settings
from db import migrate
from db.uow import Database
from knowledge.bundle import Knowledge, load_knowledge


def knowledge_for(settings: Settings) -> Knowledge:
    """Raises CatalogError (file, entry, problem) on a malformed catalogue: refuse to start."""
    return load_knowledge(Path(settings.knowledge_dir) if settings.knowledge_dir else None)


async def open_database(settings: Settings, *, upgrade: bool = True) -> Database:
    """A database for use in the running event loop, migrated first when `upgrade`."""
    database = Database(settings.database_url)
    if upgrade:
        await migrate.upgrade(database.engine)
    return database


async def migrate_database(settings: Settings) -> None:
    """Bring the schema up to date in an event loop of its own, then close every connection.

    `run` and `webhook` migrate before PTB starts its own loop. Pooled connections belong to
    the loop that opened them (asyncpg's futures are bound to it), so none may outlive this
    one: the bot then opens fresh connections in PTB's loop.
    """
    database = Database(settings.database_url)
    try:
        await migrate.upgrade(database.engine)
    finally:
        await database.dispose()
