"""The job worker (``mercenary worker``): runs the handlers of ``<domain>/jobs.py`` on Dramatiq.

Only worker processes import this package and the handlers; the API builds and sends messages
through ``backends/queue`` alone (tests/test_import_budget.py).
"""
