"""processed webhooks: platform message ids, so a retried webhook is processed once

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('processed_webhooks',
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('platform', 'message_id')
    )
    with op.batch_alter_table('processed_webhooks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_webhooks_received_at'), ['received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('processed_webhooks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_webhooks_received_at'))

    op.drop_table('processed_webhooks')
