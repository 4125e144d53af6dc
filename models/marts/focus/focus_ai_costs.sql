{{ config(materialized=view_materialization()) }}

-- FOCUS column names are PascalCase by specification, hence quoted (as
-- each engine quotes: DuckDB "...", Spark `...`).
-- noqa: disable=RF06

-- FOCUS 1.2 Cost and Usage (all 57 columns, exact names and types) plus the
-- FOCUS 1.3 ServiceProviderName / HostProviderName and x_ extensions.
-- Charges with no cost (unpriced usage, see mart_pricing_incidents) are left
-- out: FOCUS requires a non-null BilledCost, and the warehouse never writes a
-- made-up 0.
with

costs as (
    select * from {{ ref('fct_ai_costs') }}
    where billed_cost is not null
),

shaped as (
    select
        *,
        charge_category in ('Usage', 'Purchase') as is_priced_category,
        charge_category = 'Usage' as is_usage
    from costs
),

final as (
    select
        cast(
            coalesce(billing_account_id, provider) as string
        ) as {{ adapter.quote('BillingAccountId') }},
        cast(provider_name || ' billing account' as string)
            as {{ adapter.quote('BillingAccountName') }},
        cast(
            case
                when provider in ('aws_bedrock') then 'Payer Account'
                when provider = 'gcp_vertex' then 'Billing Account'
                when provider = 'azure_openai' then 'Billing Account'
                else 'Organization'
            end as string
        ) as {{ adapter.quote('BillingAccountType') }},
        cast(billing_currency as string)
            as {{ adapter.quote('BillingCurrency') }},
        cast(billing_period_start_on as {{ timestamp_type() }})
            as {{ adapter.quote('BillingPeriodStart') }},
        cast(
            {{ dbt.dateadd('month', 1, 'billing_period_start_on') }}
            as {{ timestamp_type() }}
        ) as {{ adapter.quote('BillingPeriodEnd') }},
        cast(billed_cost as decimal(38, 10))
            as {{ adapter.quote('BilledCost') }},
        cast(effective_cost as decimal(38, 10))
            as {{ adapter.quote('EffectiveCost') }},
        cast(coalesce(list_cost, billed_cost) as decimal(38, 10))
            as {{ adapter.quote('ListCost') }},
        cast(effective_cost as decimal(38, 10))
            as {{ adapter.quote('ContractedCost') }},
        cast(null as string) as {{ adapter.quote('AvailabilityZone') }},
        cast(null as string) as {{ adapter.quote('CapacityReservationId') }},
        cast(null as string)
            as {{ adapter.quote('CapacityReservationStatus') }},
        cast(charge_category as string)
            as {{ adapter.quote('ChargeCategory') }},
        cast(null as string) as {{ adapter.quote('ChargeClass') }},
        cast(
            coalesce(vendor_sku, service_name || ' ' || token_class) as string
        ) as {{ adapter.quote('ChargeDescription') }},
        cast(charge_frequency as string)
            as {{ adapter.quote('ChargeFrequency') }},
        cast(charge_period_start_at as {{ timestamp_type() }})
            as {{ adapter.quote('ChargePeriodStart') }},
        cast(
            case
                when charge_period_end_at > charge_period_start_at
                    then charge_period_end_at
                else charge_period_start_at + interval 1 second
            end as {{ timestamp_type() }}
        ) as {{ adapter.quote('ChargePeriodEnd') }},
        cast(null as string)
            as {{ adapter.quote('CommitmentDiscountCategory') }},
        cast(null as string) as {{ adapter.quote('CommitmentDiscountId') }},
        cast(null as string) as {{ adapter.quote('CommitmentDiscountName') }},
        cast(null as decimal(38, 10))
            as {{ adapter.quote('CommitmentDiscountQuantity') }},
        cast(null as string) as {{ adapter.quote('CommitmentDiscountStatus') }},
        cast(null as string) as {{ adapter.quote('CommitmentDiscountType') }},
        cast(null as string) as {{ adapter.quote('CommitmentDiscountUnit') }},
        cast(
            case when is_usage then consumed_quantity end as decimal(38, 10)
        ) as {{ adapter.quote('ConsumedQuantity') }},
        cast(case when is_usage then consumed_unit end as string)
            as {{ adapter.quote('ConsumedUnit') }},
        cast(
            case when is_priced_category then list_unit_price end
            as decimal(38, 10)
        ) as {{ adapter.quote('ListUnitPrice') }},
        cast(
            case when is_priced_category then list_unit_price end
            as decimal(38, 10)
        ) as {{ adapter.quote('ContractedUnitPrice') }},
        cast(null as string) as {{ adapter.quote('InvoiceId') }},
        cast(invoice_issuer_name as string)
            as {{ adapter.quote('InvoiceIssuerName') }},
        cast(
            case when is_priced_category then 'Standard' end as string
        ) as {{ adapter.quote('PricingCategory') }},
        cast(
            case when is_priced_category then pricing_quantity end
            as decimal(38, 10)
        ) as {{ adapter.quote('PricingQuantity') }},
        cast(case when is_priced_category then pricing_unit end as string)
            as {{ adapter.quote('PricingUnit') }},
        cast(billing_currency as string)
            as {{ adapter.quote('PricingCurrency') }},
        cast(effective_cost as decimal(38, 10))
            as {{ adapter.quote('PricingCurrencyEffectiveCost') }},
        cast(
            case when is_priced_category then list_unit_price end
            as decimal(38, 10)
        ) as {{ adapter.quote('PricingCurrencyListUnitPrice') }},
        cast(
            case when is_priced_category then list_unit_price end
            as decimal(38, 10)
        ) as {{ adapter.quote('PricingCurrencyContractedUnitPrice') }},
        cast(provider_name as string) as {{ adapter.quote('ProviderName') }},
        cast(provider_name as string) as {{ adapter.quote('PublisherName') }},
        cast(region_id as string) as {{ adapter.quote('RegionId') }},
        cast(region_id as string) as {{ adapter.quote('RegionName') }},
        cast(resource_id as string) as {{ adapter.quote('ResourceId') }},
        cast(resource_id as string) as {{ adapter.quote('ResourceName') }},
        cast(null as string) as {{ adapter.quote('ResourceType') }},
        cast(service_category as string)
            as {{ adapter.quote('ServiceCategory') }},
        cast(service_subcategory as string)
            as {{ adapter.quote('ServiceSubcategory') }},
        cast(service_name as string) as {{ adapter.quote('ServiceName') }},
        cast(sku_id as string) as {{ adapter.quote('SkuId') }},
        cast(sku_price_id as string) as {{ adapter.quote('SkuPriceId') }},
        cast(
            case token_class
                when 'input' then 'Input Tokens'
                when 'cached_input' then 'Input Cache Read Tokens'
                when 'cache_write' then 'Input Cache Write Tokens'
                when 'cache_write_5m' then 'Input Cache Write 5m Tokens'
                when 'cache_write_1h' then 'Input Cache Write 1h Tokens'
                when 'output' then 'Output Tokens'
                when 'premium_request' then 'Premium Requests'
                when 'ai_credit' then 'AI Credits'
                when 'ai_unit' then 'AI Units'
                when 'ptu_hour' then 'Provisioned Throughput Units'
                when 'seat' then 'Seats'
                when 'web_search' then 'Web Search Requests'
                else 'Other'
            end as string
        ) as {{ adapter.quote('SkuMeter') }},
        {{ json_object_text([
            ['x_ModelId', 'model'],
            ['x_ModelFamily', 'model_family'],
            ['x_ModelDeveloper', 'model_developer'],
            ['x_TokenDirection', "case
                when token_class = 'output' then 'Output'
                when consumed_unit = 'Tokens' then 'Input'
            end"],
            ['x_TokenCacheAction', "case
                when token_class = 'cached_input' then 'Read'
                when token_class like 'cache_write%' then 'Write'
            end"],
            ['x_ServiceTier', 'service_tier'],
            ['x_ContextTier', 'context_tier'],
        ]) }} as {{ adapter.quote('SkuPriceDetails') }},
        cast(sub_account_id as string) as {{ adapter.quote('SubAccountId') }},
        cast(coalesce(sub_account_name, sub_account_id) as string)
            as {{ adapter.quote('SubAccountName') }},
        cast(
            case provider
                when 'openai' then 'Project'
                when 'anthropic' then 'Workspace'
                when 'aws_bedrock' then 'Linked Account'
                when 'azure_openai' then 'Subscription'
                when 'gcp_vertex' then 'Project'
                when 'github_copilot' then 'Organization'
                else 'Team'
            end as string
        ) as {{ adapter.quote('SubAccountType') }},
        -- the vendor's tags with the attribution's keys set (a JSON merge
        -- patch: its other keys first, in their order, then these)
        {{ json_object_with("coalesce(tags, '{}')", [
            ['team', 'team'],
            ['cost_center', 'cost_center'],
            ['product', 'product'],
            ['environment', 'environment'],
            ['agent', 'agent'],
        ]) }} as {{ adapter.quote('Tags') }},
        cast(provider_name as string)
            as {{ adapter.quote('ServiceProviderName') }},
        cast(host_provider_name as string)
            as {{ adapter.quote('HostProviderName') }},
        charge_id as {{ adapter.quote('x_ChargeId') }},
        provider as {{ adapter.quote('x_Provider') }},
        cost_source as {{ adapter.quote('x_CostSource') }},
        token_class as {{ adapter.quote('x_TokenClass') }},
        user_name as {{ adapter.quote('x_UserName') }},
        api_key_id as {{ adapter.quote('x_ApiKeyId') }},
        team as {{ adapter.quote('x_Team') }},
        cost_center as {{ adapter.quote('x_CostCenter') }},
        product as {{ adapter.quote('x_Product') }},
        environment as {{ adapter.quote('x_Environment') }},
        agent as {{ adapter.quote('x_Agent') }},
        source_file as {{ adapter.quote('x_SourceFile') }},
        source_row as {{ adapter.quote('x_SourceRow') }}
    from shaped
)

select * from final
