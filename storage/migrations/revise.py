"""Write a new Alembic revision from the difference between the models and the migrations.

Usage: python -m storage.migrations.revise "what changed" [REV_ID]
It migrates a scratch SQLite database to the newest revision, then autogenerates against it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.db import MIGRATIONS, create_db_engine, upgrade


def main(message: str, rev_id: str | None = None) -> None:
    """Autogenerate a revision named `message` (ids default to the next number, 0002, 0003, ...)."""
    versions = sorted(p.name[:4] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    if rev_id is None:
        rev_id = f"{int(versions[-1]) + 1:04d}" if versions else "0001"
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_db_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        upgrade(engine)
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
        engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
