"""AI system inventory: the register of AI systems in use (mart_ai_system_inventory)."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import data_ops, ui


def render() -> None:
    f = ui.filters()
    st.title("AI system inventory")
    ui.focus_caption(f, "months (systems seen in the range), teams and providers (systems "
                        "whose lists contain them)")

    head = data_ops.inventory_headline(f)
    cols = ui.metric_grid(4, per_row=4)
    cols[0].metric("AI systems", ui.count(ui.total(head, "systems")))
    cols[1].metric("Models in use", ui.count(head["models"].max() if not head.empty else None))
    cols[2].metric("Spend to date", ui.money(head, "spend_to_date"),
                   help="Billed cost since each system was first seen (all months).")
    cols[3].metric("Spend last 30 days", ui.money(head, "spend_last_30_days"),
                   help="Billed cost of the 30 days up to the last day with data.")

    register = data_ops.inventory(f)
    if register.empty:
        ui.no_data("No AI system matches these filters.")
        return
    currency = register["currency"].iloc[0]
    spec = alt.Chart(register, title=f"Spend to date per AI system ({currency})").mark_bar().encode(
        y=alt.Y("ai_system_name:N", title=None, sort="-x", axis=alt.Axis(labelLimit=240)),
        x=alt.X("spend_to_date:Q", title=None, axis=alt.Axis(format=",.0f")),
        color=alt.Color("ai_system_type:N", title=None, legend=ui.legend()),
        tooltip=["ai_system_name:N", "ai_system_type:N", "teams:N", "providers:N",
                 alt.Tooltip("spend_to_date:Q", format=",.2f")],
    ).properties(height=alt.Step(20))
    ui.chart(spec, "inventory_chart")

    st.subheader("Register")
    st.caption("One row per AI system: product, agent, seat product or a team's direct API "
               "use. People are counted by pseudonym, never named.")
    st.dataframe(
        register[["ai_system_name", "ai_system_type", "providers", "models", "model_developers",
                  "teams", "cost_centers", "environments", "user_count", "api_key_count",
                  "first_seen_on", "last_seen_on", "spend_to_date", "spend_last_30_days",
                  "currency"]],
        hide_index=True, width="stretch",
        column_config={c: st.column_config.NumberColumn(format="%.2f")
                       for c in ["spend_to_date", "spend_last_30_days"]},
    )
