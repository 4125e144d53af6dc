{#-
    reconciliation_gap: per provider and calendar month, two comparisons of
    the vendor's money with the price book, each an incident when off by
    more than `reconciliation_tolerance` (5 %) on at least
    `reconciliation_min_cost` (10, billing currency) of price-book value:
      billed_vs_price_book  vendor-reported usage charges that have a list
                            price (int_vendor_unit_prices): billed at list
                            ÷ price-book estimate of the same rows;
      cost_api_vs_usage     providers with a cost export and a usage export
                            (OpenAI, Anthropic): the cost export (allocated
                            onto usage rows, plus cost rows no usage row
                            matched) ÷ the price-book value of all usage
                            rows, so usage the cost export misses or cost
                            without usage shows.
    Legitimate differences are left out by these rules: seats and purchases,
    credits, taxes and adjustments are not usage (charge_category); a
    discount the vendor states on the row itself (Copilot included usage,
    Cursor included events, Azure EffectivePrice below PayGPrice) is
    compared at the vendor's own list amount; rows without a price (an
    unpriced_model) have nothing to compare; cost-export rows of classes the
    usage export does not have (vector storage, code execution) and usage
    rows of a service tier the cost export never carries (Anthropic's
    priority tier appears only in usage: platform.claude.com/docs/en/api/
    admin/cost_report) are not expected to match; the days and models of a
    detected unit_price_change are left out of both comparisons, which that
    incident already explains.
-#}
{%- set tolerance = incident_setting('reconciliation_tolerance') -%}
{%- set min_cost = incident_setting('reconciliation_min_cost') -%}

with

charges as (
    select * from {{ ref('fct_ai_costs') }}
),

price_changes as (
    select * from {{ ref('int_incidents__unit_price_change') }}
),

vendor_prices as (
    select * from {{ ref('int_vendor_unit_prices') }}
),

usage_charges as (
    -- usage charges outside any detected unit_price_change
    select
        charges.*,
        {{ month_start('charges.charge_on') }} as month_on
    from charges
    left join price_changes
        on
            charges.provider || ':'
            || coalesce(charges.price_model, charges.model)
            = price_changes.incident_key
            and charges.charge_on
            between price_changes.started_on and price_changes.window_end_on
    where
        charges.charge_category = 'Usage'
        and price_changes.incident_key is null
),

usage_classes as (
    select distinct
        provider,
        token_class
    from usage_charges
    where cost_grain = 'usage'
),

cost_export_tiers as (
    select distinct
        provider,
        service_tier
    from usage_charges
    where
        cost_source = 'vendor_reported'
        and cost_grain in ('usage', 'cost_export')
),

unexplained_prices as (
    -- charges inside a detected unit_price_change are explained by it
    select vendor_prices.*
    from vendor_prices
    left join price_changes
        on
            vendor_prices.provider || ':' || vendor_prices.price_model
            = price_changes.incident_key
            and vendor_prices.charge_on
            between price_changes.started_on and price_changes.window_end_on
    where price_changes.incident_key is null
),

billed_vs_price_book as (
    select
        provider,
        {{ month_start('charge_on') }} as month_on,
        'billed_vs_price_book' as comparison,
        sum(at_list_cost) as vendor_cost,
        sum(estimated_cost) as price_book_cost
    from unexplained_prices
    group by 1, 2
),

cost_side as (
    select
        usage_charges.provider,
        usage_charges.month_on,
        sum(usage_charges.billed_cost) as vendor_cost
    from usage_charges
    inner join usage_classes
        on
            usage_charges.provider = usage_classes.provider
            and usage_charges.token_class = usage_classes.token_class
    where
        usage_charges.cost_source = 'vendor_reported'
        and (
            usage_charges.cost_grain = 'cost_export'
            or (
                usage_charges.cost_grain = 'usage'
                and usage_charges.estimated_cost is not null
            )
        )
    group by 1, 2
),

usage_side as (
    select
        usage_charges.provider,
        usage_charges.month_on,
        sum(usage_charges.estimated_cost) as price_book_cost
    from usage_charges
    inner join cost_export_tiers
        on
            usage_charges.provider = cost_export_tiers.provider
            and usage_charges.service_tier = cost_export_tiers.service_tier
    where
        usage_charges.cost_grain = 'usage'
        and usage_charges.estimated_cost is not null
    group by 1, 2
),

cost_api_vs_usage as (
    select
        cost_side.provider,
        cost_side.month_on,
        'cost_api_vs_usage' as comparison,
        cost_side.vendor_cost,
        usage_side.price_book_cost
    from cost_side
    inner join usage_side
        on
            cost_side.provider = usage_side.provider
            and cost_side.month_on = usage_side.month_on
),

comparisons as (
    select * from billed_vs_price_book
    union all
    select * from cost_api_vs_usage
),

gaps as (
    select
        *,
        vendor_cost / price_book_cost as cost_ratio
    from comparisons
    where
        price_book_cost >= {{ min_cost }}
        and abs(vendor_cost / price_book_cost - 1) > {{ tolerance }}
),

grouped as (
    select
        provider,
        month_on,
        max_by(cost_ratio, abs(ln(cost_ratio))) as worst_ratio,
        {{ dbt.listagg(
            "comparison || ': vendor ' || "
            ~ format_decimal('vendor_cost', 4)
            ~ " || ' vs price book ' || "
            ~ format_decimal('price_book_cost', 4)
            ~ " || ' (x' || " ~ format_decimal('cost_ratio', 4) ~ " || ')'",
            "'; '",
            'order by comparison'
        ) }} as comparison_evidence
    from gaps
    group by 1, 2
),

final as (
    select
        'reconciliation_gap' as incident_type,
        provider,
        cast(null as string) as model,  -- noqa: RF04
        cast(null as string) as sku,
        'int_incidents__reconciliation_gap' as detected_by,
        provider || ':' || {{ format_date('month_on', '%Y-%m') }}
            as incident_key,
        provider || ' ' || {{ format_date('month_on', '%Y-%m') }}
        || ' does not reconcile within ' || {{ tolerance * 100 }} || '%: '
        || comparison_evidence as evidence,
        cast(worst_ratio as double) as magnitude,
        month_on as started_on,
        month_on as window_start_on,
        last_day(month_on) as window_end_on
    from grouped
)

select * from final
