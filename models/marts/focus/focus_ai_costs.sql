{{ config(materialized='view') }}

-- FOCUS column names are PascalCase by specification, hence quoted.
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
            coalesce(billing_account_id, provider) as varchar
        ) as "BillingAccountId",
        cast(provider_name || ' billing account' as varchar)
            as "BillingAccountName",
        cast(
            case
                when provider in ('aws_bedrock') then 'Payer Account'
                when provider = 'gcp_vertex' then 'Billing Account'
                when provider = 'azure_openai' then 'Billing Account'
                else 'Organization'
            end as varchar
        ) as "BillingAccountType",
        cast(billing_currency as varchar) as "BillingCurrency",
        cast(billing_period_start_on as timestamptz) as "BillingPeriodStart",
        cast(billing_period_start_on + interval 1 month as timestamptz)
            as "BillingPeriodEnd",
        cast(billed_cost as decimal(38, 10)) as "BilledCost",
        cast(effective_cost as decimal(38, 10)) as "EffectiveCost",
        cast(coalesce(list_cost, billed_cost) as decimal(38, 10))
            as "ListCost",
        cast(effective_cost as decimal(38, 10)) as "ContractedCost",
        cast(null as varchar) as "AvailabilityZone",
        cast(null as varchar) as "CapacityReservationId",
        cast(null as varchar) as "CapacityReservationStatus",
        cast(charge_category as varchar) as "ChargeCategory",
        cast(null as varchar) as "ChargeClass",
        cast(
            coalesce(vendor_sku, service_name || ' ' || token_class) as varchar
        ) as "ChargeDescription",
        cast(charge_frequency as varchar) as "ChargeFrequency",
        cast(charge_period_start_at as timestamptz) as "ChargePeriodStart",
        cast(
            case
                when charge_period_end_at > charge_period_start_at
                    then charge_period_end_at
                else charge_period_start_at + interval 1 second
            end as timestamptz
        ) as "ChargePeriodEnd",
        cast(null as varchar) as "CommitmentDiscountCategory",
        cast(null as varchar) as "CommitmentDiscountId",
        cast(null as varchar) as "CommitmentDiscountName",
        cast(null as decimal(38, 10)) as "CommitmentDiscountQuantity",
        cast(null as varchar) as "CommitmentDiscountStatus",
        cast(null as varchar) as "CommitmentDiscountType",
        cast(null as varchar) as "CommitmentDiscountUnit",
        cast(
            case when is_usage then consumed_quantity end as decimal(38, 10)
        ) as "ConsumedQuantity",
        cast(case when is_usage then consumed_unit end as varchar)
            as "ConsumedUnit",
        cast(
            case when is_priced_category then list_unit_price end
            as decimal(38, 10)
        ) as "ListUnitPrice",
        cast(
            case when is_priced_category then list_unit_price end
            as decimal(38, 10)
        ) as "ContractedUnitPrice",
        cast(null as varchar) as "InvoiceId",
        cast(invoice_issuer_name as varchar) as "InvoiceIssuerName",
        cast(
            case when is_priced_category then 'Standard' end as varchar
        ) as "PricingCategory",
        cast(
            case when is_priced_category then pricing_quantity end
            as decimal(38, 10)
        ) as "PricingQuantity",
        cast(case when is_priced_category then pricing_unit end as varchar)
            as "PricingUnit",
        cast(billing_currency as varchar) as "PricingCurrency",
        cast(effective_cost as decimal(38, 10))
            as "PricingCurrencyEffectiveCost",
        cast(
            case when is_priced_category then list_unit_price end
            as decimal(38, 10)
        ) as "PricingCurrencyListUnitPrice",
        cast(
            case when is_priced_category then list_unit_price end
            as decimal(38, 10)
        ) as "PricingCurrencyContractedUnitPrice",
        cast(provider_name as varchar) as "ProviderName",
        cast(provider_name as varchar) as "PublisherName",
        cast(region_id as varchar) as "RegionId",
        cast(region_id as varchar) as "RegionName",
        cast(resource_id as varchar) as "ResourceId",
        cast(resource_id as varchar) as "ResourceName",
        cast(null as varchar) as "ResourceType",
        cast(service_category as varchar) as "ServiceCategory",
        cast(service_subcategory as varchar) as "ServiceSubcategory",
        cast(service_name as varchar) as "ServiceName",
        cast(sku_id as varchar) as "SkuId",
        cast(sku_price_id as varchar) as "SkuPriceId",
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
            end as varchar
        ) as "SkuMeter",
        cast(
            json_object(
                'x_ModelId', model,
                'x_ModelFamily', model_family,
                'x_ModelDeveloper', model_developer,
                'x_TokenDirection',
                case
                    when token_class = 'output' then 'Output'
                    when consumed_unit = 'Tokens' then 'Input'
                end,
                'x_TokenCacheAction',
                case
                    when token_class = 'cached_input' then 'Read'
                    when token_class like 'cache_write%' then 'Write'
                end,
                'x_ServiceTier', service_tier,
                'x_ContextTier', context_tier
            ) as varchar
        ) as "SkuPriceDetails",
        cast(sub_account_id as varchar) as "SubAccountId",
        cast(coalesce(sub_account_name, sub_account_id) as varchar)
            as "SubAccountName",
        cast(
            case provider
                when 'openai' then 'Project'
                when 'anthropic' then 'Workspace'
                when 'aws_bedrock' then 'Linked Account'
                when 'azure_openai' then 'Subscription'
                when 'gcp_vertex' then 'Project'
                when 'github_copilot' then 'Organization'
                else 'Team'
            end as varchar
        ) as "SubAccountType",
        cast(
            json_merge_patch(
                coalesce(tags, '{}'),
                json_object(
                    'team', team,
                    'cost_center', cost_center,
                    'product', product,
                    'environment', environment,
                    'agent', agent
                )
            ) as varchar
        ) as "Tags",
        cast(provider_name as varchar) as "ServiceProviderName",
        cast(host_provider_name as varchar) as "HostProviderName",
        charge_id as "x_ChargeId",
        provider as "x_Provider",
        cost_source as "x_CostSource",
        token_class as "x_TokenClass",
        user_name as "x_UserName",
        api_key_id as "x_ApiKeyId",
        team as "x_Team",
        cost_center as "x_CostCenter",
        product as "x_Product",
        environment as "x_Environment",
        agent as "x_Agent",
        source_file as "x_SourceFile",
        source_row as "x_SourceRow"
    from shaped
)

select * from final
