"""Where the benchmark runs and the lengths of its landings."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FULL_DAYS = 365
HISTORIES = (90, 365)
# every measured landing is a day of one world spanning the longest landing (365 + 1 days)
HORIZON = FULL_DAYS + 1
DUCKDB_THREADS = os.environ.get("AI_FINOPS_DUCKDB_THREADS", "2")
