"""provenance of feed summaries, and findings past the per-article cap

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 10:00:00.000000

A claim's `source` says whether an outlet's page carries it ("page") or only feeds' summaries do
("feed"). An article's `findings_dropped` counts the findings past the per-article cap.

Articles stored from a feed's summary used to sit at the entry's link, where they stopped the real page
from ever being read: they move to "<link>#feed-summary", which no feed lists, so the page is read when
a feed lists its link again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(sa.Column("findings_dropped", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(), nullable=False, server_default="page"))
    op.execute(
        "UPDATE article SET url = url || '#feed-summary' "
        "WHERE source = 'feed' AND url NOT LIKE 'entry:%' AND url NOT LIKE '%#feed-summary%'"
    )
    op.execute(
        "UPDATE claim SET source = 'feed' WHERE NOT EXISTS (SELECT 1 FROM finding "
        "JOIN article ON article.id = finding.article_id "
        "WHERE finding.claim_id = claim.id AND article.source = 'page')"
    )


def downgrade() -> None:
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_column("source")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_column("findings_dropped")
