"""Unit economics: cost per 1M tokens by model, cache hit rate and savings, cheaper-model what-if."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import data, ui


def render() -> None:
    f = ui.filters()
    st.title("Unit economics")
    ui.focus_caption(f, "months and providers (the mart has no team)")

    head = data.unit_headline(f)
    savings = data.unit_savings(f)
    cols = ui.metric_grid(5)
    cols[0].metric("Tokens", ui.count(ui.total(head, "tokens")))
    cols[1].metric("Cost per 1M tokens", ui.money(head, "cost_per_1m_tokens"),
                   help="Effective cost of token charges x 1,000,000 / tokens, all models.")
    cols[2].metric("Cache hit rate", ui.percent(ui.total(head, "cache_hit_pct")),
                   help="Cached input tokens / input tokens.")
    cols[3].metric("Cache savings", ui.money(savings, "cache_savings"),
                   help="Cached tokens x (input price - cached price), at list price.")
    cols[4].metric("Cheaper-model what-if", ui.money(savings, "cheapest_model_savings"),
                   help="What the same tokens would have saved on the family's cheapest model.")

    models = data.unit_economics(f)
    priced = models[models["cost_per_1m_tokens"].notna()].copy()
    left, right = st.columns(2)
    with left:
        if priced.empty:
            ui.no_data("No token charges this month.")
        else:
            priced["label"] = priced["provider"] + " · " + priced["model"]
            currency = priced["reporting_currency"].iloc[0]
            spec = alt.Chart(priced, title=f"Cost per 1M tokens by model ({currency})").mark_bar(
            ).encode(
                y=alt.Y("label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=240)),
                x=alt.X("cost_per_1m_tokens:Q", title=None, axis=alt.Axis(format=",.2f")),
                color=alt.Color("provider:N", title=None, legend=ui.legend(columns=2)),
                tooltip=["provider:N", "model:N",
                         alt.Tooltip("cost_per_1m_tokens:Q", format=",.4f"),
                         alt.Tooltip("total_tokens:Q", format=",")],
            ).properties(height=alt.Step(20))
            ui.chart(spec, "unit_cost_chart")
    with right:
        ui.series_chart(data.cache_hit_by_month(f), "cache_hit_rate",
                        "Cache hit rate per month", "unit_cache_chart", mark="line",
                        value_format=".0%")

    st.subheader("Cheaper-model what-if")
    st.caption("The month's tokens of each model at its own list prices and at the list prices "
               "of the cheapest model of its family (price currency).")
    what_if = models[models["token_list_cost"].notna()][
        ["provider", "model", "cheapest_model", "total_tokens", "cache_hit_rate", "cache_savings",
         "token_list_cost", "cheapest_model_list_cost", "cheapest_model_savings",
         "price_currency"]
    ].sort_values("cheapest_model_savings", ascending=False)
    st.dataframe(
        what_if, hide_index=True, width="stretch",
        column_config={
            "cache_hit_rate": st.column_config.NumberColumn(format="percent"),
            **{c: st.column_config.NumberColumn(format="%.2f")
               for c in ["cache_savings", "token_list_cost", "cheapest_model_list_cost",
                         "cheapest_model_savings"]},
        },
    )
