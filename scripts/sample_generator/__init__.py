"""The deterministic sample-data generator behind ``scripts/generate_sample_data.py``.

Modules, in dependency order:

``catalogue``
    Constants, the vocabulary (exports, teams, names) and the model catalogue; the dates of
    the real events.
``helpers``
    Random streams (``Rng``, ``stream``), exact decimal text, compact JSON, dates, stable ids.
``incidents``
    ``--inject``: parsing, and the duplicated and restated export files.
``options``
    The parsed command line (``Options``, ``parse_args``) and ``SAMPLE_ARGS``.
``organisation``
    Teams, people, seats, workloads and daily usage cells.
``world``
    ``World``: the organisation drawn from the options, prices, incident effects, the canary
    job and each day's usage.
``output``
    Periods, export names, the registry of written files, JSON pages, CSV lines and the
    writers' base classes.
``writers``
    One module per vendor (``openai``, ``anthropic``, ``aws_cur``, ``azure_cost``,
    ``gcp_billing``, ``github_copilot``, ``cursor``) and ``project_exports`` (gateway,
    activity, seats), each describing its format; ``WRITERS`` maps export folders to writers.
``driver``
    The run (``generate``, ``run_exports``, ``--jobs``) and ``manifest.json``.
"""
