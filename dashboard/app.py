"""The AI FinOps dashboard: `make dashboard` (streamlit run dashboard/app.py).

Serves six pages over the warehouse file `AI_FINOPS_DB_PATH`, opened read-only per query
(dashboard/data.py). The sidebar's filters (month range, teams, providers) apply to every
page; see docs/dashboard.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import streamlit as st  # noqa: E402

from dashboard import data, ui  # noqa: E402
from dashboard.views import (  # noqa: E402
    data_health,
    incidents,
    inventory,
    overview,
    seats,
    unit_economics,
)


def main() -> None:
    # No page_icon and no page icons: Streamlit turns a Material icon into a favicon fetched
    # from fonts.gstatic.com, and the dashboard loads nothing from outside 127.0.0.1.
    st.set_page_config(page_title="AI FinOps", layout="wide")
    pages = [
        st.Page(overview.render, title="Overview", url_path="overview", default=True),
        st.Page(unit_economics.render, title="Unit economics", url_path="unit-economics"),
        st.Page(seats.render, title="Seats", url_path="seats"),
        st.Page(incidents.render, title="Pricing incidents", url_path="pricing-incidents"),
        st.Page(data_health.render, title="Data health", url_path="data-health"),
        st.Page(inventory.render, title="AI system inventory", url_path="ai-system-inventory"),
    ]
    navigation = st.navigation(pages)
    try:
        ui.sidebar_filters()
        navigation.run()
    except data.WarehouseMissing as exc:
        st.error(str(exc))
    except duckdb.IOException as exc:  # `make build` holds the file's write lock
        st.warning(f"The warehouse cannot be read right now ({exc}). Reload in a moment.")


main()
