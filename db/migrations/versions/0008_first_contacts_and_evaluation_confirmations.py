"""first contacts and evaluation confirmations

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:00:00

Existing people who show signs of having written to the bot (a language chosen on first
contact, or any action of theirs in the audit log) are recorded as having started it, so an
upgrade does not silence staff who use the bot today. Existing evaluation runs were recorded as
final when they were made, so they are confirmed as of their own time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base


revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('first_contacts',
    sa.Column('tg_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('first_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tg_id', name=op.f('pk_first_contacts'))
    )
    op.create_table('evaluation_confirmations',
    sa.Column('run_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('confirmed_at', db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by'], ['people.id'], name=op.f('fk_evaluation_confirmations_confirmed_by_people')),
    sa.ForeignKeyConstraint(['run_id'], ['evaluation_runs.id'], name=op.f('fk_evaluation_confirmations_run_id_evaluation_runs')),
    sa.PrimaryKeyConstraint('run_id', name=op.f('pk_evaluation_confirmations'))
    )
    op.execute(
        "INSERT INTO first_contacts (tg_id, first_at) "
        "SELECT tg_id, created_at FROM people "
        "WHERE language IS NOT NULL "
        "OR id IN (SELECT actor_person_id FROM audit_log WHERE actor_person_id IS NOT NULL)"
    )
    op.execute(
        "INSERT INTO evaluation_confirmations (run_id, confirmed_at, confirmed_by) "
        "SELECT id, created_at, created_by FROM evaluation_runs"
    )


def downgrade() -> None:
    op.drop_table('evaluation_confirmations')
    op.drop_table('first_contacts')
