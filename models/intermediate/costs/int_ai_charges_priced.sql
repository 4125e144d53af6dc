{{ config(
    materialized='incremental',
    incremental_strategy=refresh_strategy(),
    partition_by=refresh_partitioning(),
    on_schema_change='fail',
    pre_hook="{{ delete_stale_partitions(ref('int_charge_partitions')) }}",
) }}

-- The charges as billed, one table: every vendor's charges in one shape
-- (int_ai_charges_unioned) with the canonical model and the list price.
-- Incremental by refresh partition: a build selects the partitions whose
-- inputs changed (int_charge_partitions) and stamps each row with the
-- partition's digest (macros/incremental/stale_partitions.sql).
-- Seat-months from seats/ are charged where no vendor bill already invoices
-- the product (Copilot seats in the GitHub usage report: the seat-months of a
-- provider and month with a billed seat line are left out), and open
-- assignments run up to the last day any bill or usage export covers, so
-- that a build on a later day does not invent seat-months.
-- Takes every charge's canonical model (int_vendor_models) and its list
-- price from the price book valid on the charge's day (seed price_book:
-- provider, model, token class, service tier, context tier, effective dates).
-- A long-context tier applies to the whole request, so the tier comes from
-- the export (context_window / long-input SKU), never from a token threshold
-- applied to a daily total.
with

partitions as (
    select * from {{ ref('int_charge_partitions') }}
),

charges as (
    select * from {{ ref('int_ai_charges_unioned') }} as unioned
    where
        refresh_partition in (
            {{ stale_partitions(ref('int_charge_partitions')) }}
        )
        and (
            cost_grain is distinct from 'seat'
            or (
                charge_on <= (
                    select max(charged.charge_on)
                    from {{ ref('int_ai_charges_unioned') }} as charged
                    where charged.cost_grain != 'seat'
                )
                and not exists (
                    select 1
                    from {{ ref('int_ai_charges_unioned') }} as billed
                    where
                        billed.cost_grain = 'bill'
                        and billed.token_class = 'seat'
                        and billed.provider = unioned.provider
                        and date_trunc('month', billed.charge_on)
                        = date_trunc('month', unioned.charge_on)
                )
            )
        )
),

vendor_models as (
    select * from {{ ref('int_vendor_models') }}
),

price_book as (
    select * from {{ ref('price_book') }}
),

-- models with a price of their own for image input tokens; other models
-- bill image tokens as text input (OpenAI's pricing: images are converted
-- to tokens billed at the model's input rate)
image_priced_models as (
    select distinct
        provider,
        model
    from price_book
    where token_class = 'image_input'
),

modelled as (
    select
        charges.*,
        vendor_models.model,
        vendor_models.model_family,
        vendor_models.model_developer,
        -- non-token units are priced per SKU, not per model
        case
            when charges.cost_grain = 'seat'
                then replace(charges.sub_account_id, '_', '-') || '-seat'
            when charges.token_class = 'premium_request'
                then 'copilot-premium-request'
            when charges.token_class = 'ai_credit' then 'copilot-ai-credit'
            when charges.token_class = 'ai_unit' then 'copilot-ai-unit'
            when
                charges.provider = 'github_copilot'
                and charges.token_class = 'seat'
                then
                    case
                        when lower(charges.vendor_sku) like '%enterprise%'
                            then 'copilot-enterprise-seat'
                        else 'copilot-business-seat'
                    end
            else vendor_models.model_key
        end as price_model,
        case
            when
                charges.token_class = 'image_input'
                and image_priced_models.model is null
                then 'input'
            else charges.token_class
        end as price_token_class
    from charges
    left join vendor_models
        on
            charges.provider = vendor_models.provider
            and charges.vendor_model_id = vendor_models.vendor_model_id
    left join image_priced_models
        on
            charges.provider = image_priced_models.provider
            and vendor_models.model_key = image_priced_models.model
),

priced as (
    select
        modelled.*,
        price_book.unit_price as list_unit_price,
        price_book.currency as price_currency,
        price_book.pricing_unit,
        price_book.source_url as price_source_url,
        -- decimal(38, 10) on both engines (DuckDB narrows the branches to
        -- it, Spark would widen them to decimal(38, 16))
        cast(
            case
                when price_book.pricing_unit = '1000000 Tokens'
                    then modelled.consumed_quantity * 0.000001
                when price_book.pricing_unit = '1000 Tokens'
                    then modelled.consumed_quantity * 0.001
                when price_book.pricing_unit is not null
                    then modelled.consumed_quantity
            end as decimal(38, 10)
        ) as pricing_quantity
    from modelled
    left join price_book
        on
            modelled.provider = price_book.provider
            and modelled.price_model = price_book.model
            and modelled.price_token_class = price_book.token_class
            and coalesce(modelled.service_tier, 'standard')
            = price_book.service_tier
            and coalesce(modelled.context_tier, 'standard')
            = price_book.context_tier
            and modelled.charge_on
            >= coalesce(price_book.effective_from, date '1900-01-01')
            and (
                price_book.effective_to is null
                or modelled.charge_on < price_book.effective_to
            )
),

-- every column of priced but price_token_class, written out (both engines
-- read `* except (...)`, sqlfluff's DuckDB dialect does not)
final as (
    select
        {%- for column in ai_charge_columns() %}
            priced.{{ column.name }},
        {%- endfor %}
        priced.refresh_partition,
        priced.model,
        priced.model_family,
        priced.model_developer,
        priced.price_model,
        priced.list_unit_price,
        priced.price_currency,
        priced.pricing_unit,
        priced.price_source_url,
        priced.pricing_quantity,
        cast(
            priced.pricing_quantity * priced.list_unit_price
            as decimal(38, 10)
        ) as estimated_cost,
        partitions.partition_digest
    from priced
    inner join partitions
        on priced.refresh_partition = partitions.refresh_partition
)

select * from final
