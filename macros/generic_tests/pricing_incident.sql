{% test pricing_incident(model, incident_type) %}
    {{ return(adapter.dispatch('test_pricing_incident', 'ai_finops')(
        model, incident_type)) }}
{% endtest %}

{% macro default__test_pricing_incident(model, incident_type) %}
    {#-
        The incidents of one type in mart_pricing_incidents (or any relation
        with an incident_type column): each row is a failure, so the test
        warns or stops the build according to its severity.
    -#}
    select * from {{ model }}
    where incident_type = '{{ incident_type }}'
{% endmacro %}
