"""Synthetic OpenAI organisations and their scoring for ``scripts/score_tokenizer_limits.py``.

``scenarios``: replicates (a 60-day organisation each: keys, weekends, noise, a burst, a joining
key, a snapshot switch with or without a tokenizer change) and the raw usage export they write;
``scoring``: matching the incidents of ``int_incidents__tokenizer_shift`` to the replicates and
the Markdown table of recall and false positives.
"""
