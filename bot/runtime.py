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
    database = Database(settings.database_url)
    if upgrade:
        await migrate.upgrade(database.engine)
    return database
