"""a feed's baseline, and why a claim was stored without an alert

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 10:00:00.000000

A feed's `baseline_at` is its first successful poll: what it carried then, or had published before, is
stored and never alerted. A claim's `baseline` says why it was stored without an alert (first_poll,
max_age, baseline_run), or is NULL when it was news.

Feeds polled before this revision get the time of their first entries (or their creation) as their
baseline, so that the entries of that first poll not yet read count as its baseline too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed", schema=None) as batch_op:
        batch_op.add_column(sa.Column("baseline_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("baseline", sa.String(), nullable=True))
    op.execute(
        "UPDATE feed SET baseline_at = COALESCE("
        "(SELECT MIN(entry.first_seen_at) FROM entry WHERE entry.feed_id = feed.id), feed.created_at) "
        "WHERE feed.last_success_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_column("baseline")
    with op.batch_alter_table("feed", schema=None) as batch_op:
        batch_op.drop_column("baseline_at")
