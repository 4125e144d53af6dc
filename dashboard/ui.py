"""Shared pieces of the pages: the sidebar filters, number formats and charts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data

# Months shown by default: the last twelve months with data, ending with the latest one.
DEFAULT_MONTHS = 12
NONE = "—"


def month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def sidebar_filters() -> data.Filters:
    """Draws the month range, team and provider filters; the pages read them back with `filters()`."""
    months = data.months()
    if not months:
        st.sidebar.warning("The warehouse holds no charges yet.")
        today = dt.date.today().replace(day=1)
        months = [today]
    labels = [month_label(m) for m in months]
    default = (labels[max(0, len(labels) - DEFAULT_MONTHS)], labels[-1])
    if st.session_state.get("months") is not None and not set(st.session_state["months"]) <= set(labels):
        del st.session_state["months"]  # the file changed under us: its months are new
    start, end = st.sidebar.select_slider(
        "Months", options=labels, value=default, key="months",
        help="The pages' month in focus (\"this month\") is the last month of the range.",
    )
    teams = st.sidebar.multiselect("Teams", data.teams(), key="teams", placeholder="All teams")
    providers = st.sidebar.multiselect(
        "Providers", data.providers(), key="providers", placeholder="All providers"
    )
    by_label = dict(zip(labels, months))
    selected = data.Filters(by_label[start], by_label[end], tuple(teams), tuple(providers))
    st.session_state["filters"] = selected
    st.sidebar.caption(
        f"Warehouse `{data.db_path().name}`, read-only, last written "
        f"{data.last_refresh():%Y-%m-%d %H:%M} UTC."
    )
    return selected


def filters() -> data.Filters:
    value = st.session_state.get("filters")
    if not isinstance(value, data.Filters):
        raise RuntimeError("the sidebar filters were not drawn")
    return value


def focus_caption(f: data.Filters, applies: str) -> None:
    """States which month "this month" is and which filters the page applies."""
    as_of = data.data_as_of()
    latest = data.months()[-1] if data.months() else None
    note = "the latest month with data" if latest == f.end else "the last month of the range"
    st.caption(
        f"Month in focus: **{month_label(f.end)}** ({note}; data up to "
        f"{as_of.isoformat() if as_of else NONE}). Range {month_label(f.start)} to "
        f"{month_label(f.end)}. Filters applied here: {applies}."
    )


def is_missing(value: Any) -> bool:
    """None, NaN, NaT or NA (a scalar)."""
    return value is None or bool(pd.api.types.is_scalar(value) and pd.isna(value))


def money(frame: pd.DataFrame, column: str, currency: str = "currency") -> str:
    """`1,234.56 USD`, one amount per currency (`12.00 EUR + 3.00 USD`); `—` when unknown."""
    parts = [
        f"{float(row[column]):,.2f} {row[currency]}"
        for _, row in frame.sort_values(currency).iterrows()
        if not is_missing(row[column])
    ]
    return " + ".join(parts) if parts else NONE


def count(value: Any) -> str:
    return NONE if is_missing(value) else f"{int(value):,}"


def percent(value: Any) -> str:
    return NONE if is_missing(value) else f"{float(value):.1f}%"


def total(frame: pd.DataFrame, column: str) -> Any:
    """Sum of a column over the currency rows of a headline frame (counts only)."""
    values = frame[column].dropna() if column in frame else pd.Series(dtype=float)
    return None if values.empty else values.sum()


def metric_grid(n: int, per_row: int = 3) -> list[Any]:
    """`n` cells for st.metric, `per_row` to a row, so that values are never cut off."""
    cells: list[Any] = []
    for first in range(0, n, per_row):
        cells.extend(st.columns(per_row)[: min(per_row, n - first)])
    return cells


def legend(columns: int = 3) -> alt.Legend:
    """Series legend under the chart, `columns` to a row, labels never cut."""
    return alt.Legend(orient="bottom", columns=columns, labelLimit=0)


def chart(spec: alt.TopLevelMixin, key: str) -> None:
    """Draws an Altair chart with Streamlit's bundled Vega, as SVG (so the test can read it)."""
    st.altair_chart(
        spec.properties(usermeta={"embedOptions": {"renderer": "svg"}}),
        width="stretch",
        key=key,
    )


def series_chart(
    frame: pd.DataFrame, value: str, title: str, key: str, *, mark: str = "bar",
    value_format: str = ",.2f",
) -> None:
    """Months on x, `value` on y, one colour per `series` (a legend entry each)."""
    if frame.empty:
        st.info(f"{title}: no data for these filters.")
        return
    base = alt.Chart(frame, title=title)
    shape = base.mark_bar() if mark == "bar" else base.mark_line(point=True)
    spec = shape.encode(
        x=alt.X("month:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        y=alt.Y(f"{value}:Q", title=None, stack=True if mark == "bar" else None,
                axis=alt.Axis(format=value_format)),
        color=alt.Color("series:N", title=None, legend=legend()),
        tooltip=["month:O", "series:N", alt.Tooltip(f"{value}:Q", format=value_format)],
    ).properties(height=380)
    chart(spec, key)


def no_data(message: str) -> None:
    st.info(message)
