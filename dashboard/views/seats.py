"""Seats: paid, active and idle seats per product and month, and what the idle seats cost."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import data, ui


def render() -> None:
    f = ui.filters()
    month = ui.month_label(f.end)
    st.title("Seats")
    ui.focus_caption(f, "months and providers (seats are per product, not per team)")

    head = data.seat_headline(f)
    cols = ui.metric_grid(4, per_row=4)
    cols[0].metric(f"Paid seats {month}", ui.count(ui.total(head, "paid_seats")))
    cols[1].metric(f"Active users {month}", ui.count(ui.total(head, "active_users")),
                   help="Seat holders active in the month, products with an activity export.")
    cols[2].metric(f"Idle seats {month}", ui.count(ui.total(head, "idle_seats")),
                   help="Paid seats none of whose holders was active (activity known only).")
    cols[3].metric(f"Idle seat cost {month}", ui.money(head, "idle_seat_cost"),
                   help="Contract price of the idle seats' seat-months.")

    frame = data.seats(f)
    focus = frame[frame["month"] == month]
    unknown = focus[~focus["is_activity_known"].astype(bool)]["product"].tolist()
    if unknown:
        st.caption(f"Activity unknown (no activity export) for: {', '.join(unknown)}; "
                   "their active and idle seats are not counted, never guessed.")

    left, right = st.columns(2)
    with left:
        if focus.empty:
            ui.no_data("No seat products this month.")
        else:
            long = focus.melt(id_vars=["product"], value_vars=["paid_seats", "active_users",
                                                               "idle_seats"],
                              var_name="measure", value_name="seats").dropna()
            long["measure"] = long["measure"].str.replace("_", " ")
            order = ["paid seats", "active users", "idle seats"]
            spec = alt.Chart(long, title=f"Seats per product, {month}").mark_bar().encode(
                x=alt.X("product:N", title=None, axis=alt.Axis(labelAngle=0)),
                xOffset=alt.XOffset("measure:N", sort=order),
                y=alt.Y("seats:Q", title=None),
                color=alt.Color("measure:N", title=None, sort=order,
                                legend=ui.legend()),
                tooltip=["product:N", "measure:N", "seats:Q"],
            ).properties(height=400)
            ui.chart(spec, "seats_chart")
    with right:
        known = frame[frame["is_activity_known"].astype(bool)]
        idle = known[["month", "product", "currency", "idle_seat_cost"]].rename(
            columns={"product": "series"})
        currency = idle["currency"].iloc[0] if not idle.empty else ""
        ui.series_chart(idle, "idle_seat_cost", f"Idle seat cost per month ({currency})",
                        "seats_idle_chart")

    st.subheader("Per product and month")
    st.dataframe(
        frame.drop(columns=["seat_month_on"]).sort_values(["month", "product"],
                                                          ascending=[False, True]),
        hide_index=True, width="stretch",
        column_config={
            "utilisation_rate": st.column_config.NumberColumn(format="percent"),
            **{c: st.column_config.NumberColumn(format="%.2f")
               for c in ["seat_cost", "usage_cost", "idle_seat_cost", "cost_per_active_user"]},
        },
    )
