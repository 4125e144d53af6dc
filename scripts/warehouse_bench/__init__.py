"""The measurements behind ``scripts/bench.py``, the benchmark of the warehouse.

Modules, in dependency order:

``settings``
    The project root, dbt's bin folder, the lengths of the landings (365 days, histories of
    90 and 365 days, the 366-day world) and DuckDB's threads.
``results``
    What is measured (``Measure`` of one process, ``SizeResult`` of one size), how a
    measurement reads in the log (``describe``) and the ratios: build/floor, (build -
    start-up)/floor, refresh/full and growth 90 -> 365 days.
``processes``
    Timing and memory: a child process's wall time and peak resident memory, dbt runs with
    their environment, log and per-node times (run_results.json), the untimed `dbt parse`
    before a timed build, and the warm page cache.
``landings``
    The raw landings: generated once and cached, the calibration of the generator's
    ``--scale`` to a number of records, hard-linked copies and landing day N+1 on N days.
``floor``
    The floor: one hand-written DuckDB query over the raw files, run in its own process, and
    the comparison of its daily totals with ``fct_ai_costs``.
``report``
    The machine and run settings, and the report: results.json and results.md.

``scripts/bench.py`` is the command line: it runs each size (dbt start-up, full build, floor,
the +1 day refreshes and their check against a full build) and keeps its public names.
"""
