"""a case record filed from a completed request

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 05:00:00

A service record filed from a completed request (the inbox's "file it on the case") knows its
request, so the card and the exports show the request's service, and a request is filed once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('case_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_case_records_request_id'), ['request_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_case_records_request_id_service_requests'),
            'service_requests', ['request_id'], ['id'],
        )


def downgrade() -> None:
    with op.batch_alter_table('case_records', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_case_records_request_id_service_requests'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_case_records_request_id'))
        batch_op.drop_column('request_id')
