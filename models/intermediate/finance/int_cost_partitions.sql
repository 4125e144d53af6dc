{{ config(materialized='table') }}

-- The refresh partitions of fct_ai_costs and the digest of what each is
-- built from: the partition's priced charges (their digest in
-- int_ai_charges_priced), their attribution (int_charge_key_attribution: a
-- rule, an API key's agent or a person's team that changes the attribution of
-- a partition's charges changes its digest), and the seeds and settings of
-- the conversion and the FOCUS fields (fx_rates, providers, reporting
-- currency). A new pseudonym key changes every landed file, so every
-- partition's priced digest. See macros/incremental/stale_partitions.sql.
with

charge_partitions as (
    select distinct
        refresh_partition,
        partition_digest
    from {{ ref('int_ai_charges_priced') }}
),

attributions as (
    select
        refresh_partition,
        md5({{ dbt.listagg(
            "concat_ws(
                '|', attribution_key, team, cost_center, product,
                environment, agent, coalesce(attribution_rule_id, '~')
            )",
            "'#'",
            'order by attribution_key nulls last'
        ) }}) as attribution_digest
    from {{ ref('int_charge_key_attribution') }}
    group by 1
),

reference as (
    select md5(concat_ws(
        '#',
        {{ content_digest(ref('fx_rates')) }},
        {{ content_digest(ref('providers')) }},
        '{{ reporting_currency() }}'
    )) as reference_digest
),

final as (
    select
        charge_partitions.refresh_partition,
        md5(concat_ws(
            '#',
            charge_partitions.partition_digest,
            coalesce(attributions.attribution_digest, ''),
            reference.reference_digest
        )) as partition_digest
    from charge_partitions
    left join attributions
        on charge_partitions.refresh_partition = attributions.refresh_partition
    cross join reference
)

select * from final
