"""Overview: this month's spend against budget and forecast, spend over time, cost source."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, ui

TOP_MODELS = 10


def _top_models(frame: pd.DataFrame) -> pd.DataFrame:
    """Keeps the `TOP_MODELS` costliest models of the range; the rest become `other models`."""
    ranked = frame.groupby("series")["cost"].sum().sort_values(ascending=False)
    keep = set(ranked.index[:TOP_MODELS])
    out = frame.assign(series=frame["series"].where(frame["series"].isin(keep), "other models"))
    return out.groupby(["month", "series", "currency"], as_index=False)["cost"].sum()


def _budget_chart(teams: pd.DataFrame) -> None:
    if teams.empty:
        ui.no_data("No team budgets for this month (seeds/budgets.csv).")
        return
    long = teams.melt(
        id_vars=["team", "currency"],
        value_vars=["actual_to_date", "forecast", "budget"],
        var_name="measure", value_name="amount",
    )
    long["measure"] = long["measure"].map(
        {"actual_to_date": "actual to date", "forecast": "forecast", "budget": "budget"}
    )
    spec = alt.Chart(long, title="Spend vs budget and forecast per team").mark_bar().encode(
        x=alt.X("team:N", title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("measure:N", sort=["actual to date", "forecast", "budget"]),
        y=alt.Y("amount:Q", title=None, axis=alt.Axis(format=",.0f")),
        color=alt.Color("measure:N", title=None, sort=["actual to date", "forecast", "budget"],
                        legend=ui.legend()),
        tooltip=["team:N", "measure:N", alt.Tooltip("amount:Q", format=",.2f"), "currency:N"],
    ).properties(height=400)
    ui.chart(spec, "overview_budget_chart")


def render() -> None:
    f = ui.filters()
    month = ui.month_label(f.end)
    st.title("Overview")
    ui.focus_caption(f, "months, teams and providers (budgets: months and teams only)")

    by_source = data.spend_by_cost_source(f)
    spend = by_source[by_source["cost_source"].isna()]
    budgets = data.team_budgets(f)
    budget_total = budgets[budgets["team"].isna()]
    teams = budgets[budgets["team"].notna()]

    cols = ui.metric_grid(6)
    cols[0].metric(f"Spend in {month}", ui.money(spend, "billed"),
                   help="Billed cost of the month, reporting currency (fct_ai_costs).")
    cols[1].metric(f"Budget {month}", ui.money(budget_total, "budget"),
                   help="Sum of the team budgets of the month (mart_budget_status).")
    cols[2].metric(f"Forecast {month}", ui.money(budget_total, "forecast"),
                   help="Forecast to month end, chargeback incl. shared costs (mart_budget_status).")
    vendor = by_source[by_source["cost_source"] == "vendor_reported"]
    estimated = by_source[by_source["cost_source"] == "estimated_from_price_book"]
    cols[3].metric("Vendor-reported", ui.money(vendor, "billed"),
                   help="Cost the vendors' own cost exports report.")
    cols[4].metric("Estimated (price book)", ui.money(estimated, "billed"),
                   help="Usage no cost export covers, priced from the dated price book.")
    unpriced = int(spend["unpriced_charges"].sum()) if not spend.empty else 0
    cols[5].metric("Unpriced charges", ui.count(unpriced),
                   help="Usage no export or price book prices: cost unknown, never counted as 0.")
    if unpriced:
        st.warning(f"{unpriced:,} charges this month could not be priced (cost unknown, "
                   "not zero): see Pricing incidents.")

    left, right = st.columns(2)
    with left:
        _budget_chart(teams)
    with right:
        st.markdown(f"**Budgets {month}** (actual to date is the chargeback incl. shared costs)")
        st.dataframe(
            teams[["team", "budget_status", "actual_to_date", "forecast", "budget", "currency"]],
            hide_index=True, width="stretch",
            column_config={
                "budget_status": st.column_config.TextColumn("status"),
                "actual_to_date": st.column_config.NumberColumn("actual", format="%.2f"),
                "forecast": st.column_config.NumberColumn(format="%.2f"),
                "budget": st.column_config.NumberColumn(format="%.2f"),
            },
        )

    by_provider = data.spend_by_month(f, "provider")
    currency = by_provider["currency"].iloc[0] if not by_provider.empty else ""
    ui.series_chart(by_provider, "cost", f"Spend by provider per month ({currency})",
                    "overview_provider_chart")
    ui.series_chart(_top_models(data.spend_by_month(f, "model")), "cost",
                    f"Spend by model per month, top {TOP_MODELS} ({currency})",
                    "overview_model_chart")
    ui.series_chart(data.spend_by_month(f, "cost_source"), "cost",
                    f"Vendor-reported vs estimated per month ({currency})",
                    "overview_source_chart")
