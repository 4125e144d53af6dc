"""Pricing incidents: what changed, when, by how much, and the evidence."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data_ops, ui

TITLES = {
    "tokenizer_shift": "Tokenizer shift",
    "unit_price_change": "Unit price change",
    "new_billing_unit": "New billing unit",
    "unpriced_model": "Unpriced model",
    "reconciliation_gap": "Reconciliation gap",
    "spend_spike": "Spend spike",
    "duplicate_export": "Duplicate export",
    "schema_drift": "Schema drift",
}


def _what(row: pd.Series) -> str:
    parts = [str(row["provider"])]
    for column in ("model", "sku"):
        if not ui.is_missing(row[column]):
            parts.append(str(row[column]))
    return " · ".join(parts)


def render() -> None:
    f = ui.filters()
    st.title("Pricing incidents")
    ui.focus_caption(f, "months (incident start) and providers")

    frame = data_ops.incidents(f)
    magnitude = frame["magnitude"].dropna()
    cols = ui.metric_grid(4, per_row=4)
    cols[0].metric("Incidents", ui.count(len(frame)))
    cols[1].metric("Errors", ui.count(int((frame["severity"] == "error").sum())),
                   help="Error severity: the billed money does not reconcile (stops the build).")
    cols[2].metric("Incident types", ui.count(frame["incident_type"].nunique()))
    cols[3].metric("Largest magnitude",
                   f"×{magnitude.max():.2f}" if not magnitude.empty else ui.NONE,
                   help="New / old ratio (tokens per character, unit price, spend).")

    if frame.empty:
        ui.no_data("No incidents started in this range for these providers.")
        return
    timeline = frame.assign(type=frame["incident_type"].map(TITLES).fillna(frame["incident_type"]),
                            started=frame["started_on"].astype(str))
    spec = alt.Chart(timeline, title="Incidents by start day").mark_point(
        filled=True, size=180).encode(
        x=alt.X("started_on:T", title=None, axis=alt.Axis(format="%Y-%m-%d"),
              scale=alt.Scale(padding=24)),
        y=alt.Y("type:N", title=None),
        color=alt.Color("provider:N", title=None, legend=ui.legend()),
        tooltip=["started:N", "type:N", "provider:N", "model:N", "sku:N",
                 alt.Tooltip("magnitude:Q", format=".3f")],
    ).properties(height=alt.Step(44))
    ui.chart(spec, "incidents_chart")

    st.subheader("What changed")
    for _, row in frame.iterrows():
        title = TITLES.get(row["incident_type"], row["incident_type"])
        size = "" if ui.is_missing(row["magnitude"]) else f" · magnitude ×{row['magnitude']:.3f}"
        with st.expander(f"{row['started_on']:%Y-%m-%d} · {title} · {_what(row)}{size} "
                         f"({row['severity']})"):
            st.write(row["evidence"])
            st.caption(f"Detector `{row['detected_by']}`, window {row['window_start_on']:%Y-%m-%d}"
                       f" to {row['window_end_on']:%Y-%m-%d}, id `{row['incident_id']}`.")
    table = frame.assign(started_on=frame["started_on"].dt.date)
    st.dataframe(
        table[["started_on", "incident_type", "severity", "provider", "model", "sku", "magnitude",
               "evidence"]],
        hide_index=True, width="stretch",
    )
