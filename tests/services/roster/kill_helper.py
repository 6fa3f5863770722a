"""Run one roster import and stop inside its write transaction, for the SIGKILL test.

``python -m tests.services.roster.kill_helper IMPORT_ID PATH``: runs the import; when students
and guardians are written but not committed it prints ``WRITING`` and waits to be killed.
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path
from typing import Any

from app.db import get_engine
from app.services.roster import imports, upsert

_original = upsert.write_links


def _stall(*args: Any, **kwargs: Any) -> None:
    print("WRITING", flush=True)
    time.sleep(120)
    _original(*args, **kwargs)


if __name__ == "__main__":
    upsert.write_links = _stall  # type: ignore[assignment]
    imports.run_import(get_engine(), import_id=uuid.UUID(sys.argv[1]), path=Path(sys.argv[2]))
    print("FINISHED", flush=True)
