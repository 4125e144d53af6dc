"""Data health: freshness per source, rows not used by reason, last refresh."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, data_ops, ui

STATUSES = ["used", "rejected", "superseded"]


def render() -> None:
    f = ui.filters()
    st.title("Data health")
    st.caption("Filters applied here: providers (the raw exports whose files feed their "
               "charges). Months and teams do not apply: files and rows are not per month.")

    sources = data_ops.source_health(f)
    as_of = data.data_as_of(f)
    cols = ui.metric_grid(6)
    cols[0].metric("Last refresh (UTC)", f"{data.last_refresh():%Y-%m-%d %H:%M}",
                   help="When the warehouse file was last written (build or published refresh).")
    cols[1].metric("Data up to", as_of.isoformat() if as_of else ui.NONE,
                   help="Last day with a charge.")
    cols[2].metric("Raw files", ui.count(sources["files"].sum()))
    cols[3].metric("Rows read", ui.count(sources["records"].sum()))
    cols[4].metric("Rejected rows", ui.count(sources["rejected"].sum()),
                   help="Records that could not be used (mart_rejected_rows, rejected).")
    cols[5].metric("Superseded rows", ui.count(sources["superseded"].sum()),
                   help="Records of an export replaced by a newer export of the same period.")

    left, right = st.columns(2)
    with left:
        long = sources.melt(id_vars=["export_name"], value_vars=STATUSES, var_name="status",
                            value_name="rows")
        long = long[long["rows"] > 0]
        if long.empty:
            ui.no_data("No raw files for these providers.")
        else:
            spec = alt.Chart(long, title="Raw records per export").mark_bar().encode(
                y=alt.Y("export_name:N", title=None),
                x=alt.X("rows:Q", title=None, stack=True),
                color=alt.Color("status:N", title=None, sort=STATUSES,
                                legend=ui.legend()),
                tooltip=["export_name:N", "status:N", alt.Tooltip("rows:Q", format=",")],
            ).properties(height=alt.Step(22))
            ui.chart(spec, "health_records_chart")
    with right:
        reasons = data_ops.unused_rows_by_reason(f)
        if reasons.empty:
            st.success("No rejected or superseded rows.")
        else:
            spec = alt.Chart(reasons, title="Rows not used, by reason").mark_bar().encode(
                y=alt.Y("reason:N", title=None, axis=alt.Axis(labelLimit=220)),
                x=alt.X("rows:Q", title=None),
                color=alt.Color("record_status:N", title=None, sort=STATUSES[1:],
                                legend=ui.legend()),
                tooltip=["record_status:N", "export_name:N", "reason:N", "rows:Q"],
            ).properties(height=alt.Step(28))
            ui.chart(spec, "health_reasons_chart")

    st.subheader("Freshness per source")
    st.caption("Newest file: modification time of the newest raw file of the export. Latest "
               "charge: last day the export's files put a charge in fct_ai_costs; days behind "
               "is counted from the latest day with data. `make refresh` also runs "
               "`dbt source freshness` (docs/operations.md).")
    table = sources.copy()
    if as_of is not None:
        behind = pd.Timestamp(as_of) - pd.to_datetime(table["latest_charge_on"])
        table["days_behind"] = behind.dt.days
    st.dataframe(table, hide_index=True, width="stretch")
