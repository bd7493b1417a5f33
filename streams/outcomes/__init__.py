"""The outcome joiner (`python -m streams.outcomes`): copies joined to what shoppers did with
them, one record per shown copy appended to the outcome log (features/outcome_log.py).

It is its own Faust app and consumer group, apart from the feature worker, so a slow log write
never delays features. See docs/outcomes.md.
"""
