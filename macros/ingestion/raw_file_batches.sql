{#-
    Staging reads its raw files in batches of bounded size.

    Parsing a file in SQL (a JSON page, a CSV text split into lines) holds
    several copies of its text at once, so a staging query over a whole
    landing needs memory in proportion to the landing: a year of 10M records
    is 3.8 GB of raw files. A staging build therefore reads the files it has
    to load (pending_raw_files()) in batches of about `raw_batch_megabytes`
    (dbt_project.yml) of raw bytes, in name order, the files of all the
    model's sources together (a file larger than the budget is a batch of its
    own): the model's SQL as compiled reads the first batch, and the post-hook
    load_raw_file_batches() renders the same SQL again for each further batch
    and appends its rows, inside the model's transaction. A staging model
    computes each file's rows from that file alone (CONTRIBUTING.md), so the
    rows do not depend on how the files were batched, and a failure in any
    batch leaves the table as it was before the build.
-#}

{% macro raw_file_batch() %}
    {#-
        The raw-file batch that this rendering of a staging model reads, as
        a dict '<source>.<table>' -> list of {path, size}: the one that
        load_raw_file_batches() is loading, else the first batch of the files
        pending for this build (every file on a full build, the new and
        changed ones on an incremental build). Empty at parse time and in a
        dbt unit test.
    -#}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return({}) }}
    {%- endif -%}
    {%- if model.get('raw_file_batch') is not none -%}
        {{ return(model.raw_file_batch) }}
    {%- endif -%}
    {#- listed once per compilation: every reader of the model asks -#}
    {%- if model.get('raw_first_file_batch') is none -%}
        {%- set batches = raw_file_batches(
            this if is_incremental() else none) -%}
        {%- do model.update({'raw_first_file_batch':
            batches[0] if batches | length > 0 else {}}) -%}
    {%- endif -%}
    {{ return(model.raw_first_file_batch) }}
{% endmacro %}


{% macro raw_file_batches(loaded=none) %}
    {#-
        The files this staging model has to read (pending_raw_files() of
        each of its sources, against the table `loaded` when given), cut in
        name order into batches of at most var('raw_batch_megabytes') of raw
        bytes (a larger file alone). A list of dicts '<source>.<table>' ->
        list of {path, size}.
    -#}
    {%- set pending = [] -%}
    {%- for source_name, table_name in model.sources -%}
        {%- for file in pending_raw_files(source_name, table_name, loaded) -%}
            {%- do pending.append({
                'key': source_name ~ '.' ~ table_name, 'file': file}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set budget = (var('raw_batch_megabytes') | float) * 1048576 -%}
    {%- set batches = [] -%}
    {%- set state = namespace(batch={}, bytes=0) -%}
    {%- for item in pending -%}
        {%- set size = item.file.size | int -%}
        {%- if state.bytes > 0 and state.bytes + size > budget -%}
            {%- do batches.append(state.batch) -%}
            {%- set state.batch = {} -%}
            {%- set state.bytes = 0 -%}
        {%- endif -%}
        {%- do state.batch.setdefault(item.key, []).append(item.file) -%}
        {%- set state.bytes = state.bytes + size -%}
    {%- endfor -%}
    {%- if state.bytes > 0 or state.batch | length > 0 -%}
        {%- do batches.append(state.batch) -%}
    {%- endif -%}
    {{ return(batches) }}
{% endmacro %}


{% macro raw_file_chunks(files) %}
    {#-
        A list of {path, size} cut into lists of at most
        var('raw_batch_megabytes') of bytes (a larger file alone), for the
        checks that read files outside the model's own query.
    -#}
    {%- set budget = (var('raw_batch_megabytes') | float) * 1048576 -%}
    {%- set chunks = [] -%}
    {%- set state = namespace(chunk=[], bytes=0) -%}
    {%- for file in files -%}
        {%- set size = file.size | int -%}
        {%- if state.chunk | length > 0 and state.bytes + size > budget -%}
            {%- do chunks.append(state.chunk) -%}
            {%- set state.chunk = [] -%}
            {%- set state.bytes = 0 -%}
        {%- endif -%}
        {%- do state.chunk.append(file) -%}
        {%- set state.bytes = state.bytes + size -%}
    {%- endfor -%}
    {%- if state.chunk | length > 0 -%}
        {%- do chunks.append(state.chunk) -%}
    {%- endif -%}
    {{ return(chunks) }}
{% endmacro %}


{% macro load_raw_file_batches() %}
    {#-
        Post-hook of the staging models: after the model's own statement has
        loaded the first batch, renders the model's SQL for each further
        batch of the files still to load and appends its rows (inside the
        model's transaction). Nothing to do when one batch held every file.
    -#}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- for batch in raw_file_batches(this) -%}
            {%- do model.update({'raw_file_batch': batch}) -%}
            {%- do run_query(
                "insert into " ~ this ~ " by name select * from ("
                ~ render(model.raw_code) ~ "\n) as raw_file_batch") -%}
        {%- endfor -%}
        {%- do model.update({'raw_file_batch': none}) -%}
    {%- endif -%}
    select 1
{% endmacro %}


{% macro raw_file_paths(files) %}
    {#- The paths of a list of {path, size}. -#}
    {%- set paths = [] -%}
    {%- for file in files -%}
        {%- do paths.append(file.path) -%}
    {%- endfor -%}
    {{ return(paths) }}
{% endmacro %}
