"""Evaluation reports behind `make eval`: NLU cross-validation, safety net and redaction.

Run as ``python -m bot.evaluation --out reports [--only nlu|safety|redaction]``.
Each report writes ``<out>/<name>/summary.md`` and ``results.json``; ``<out>/README.md``
links them. Message texts (missed crises, false positives) go only into the report files.
"""
