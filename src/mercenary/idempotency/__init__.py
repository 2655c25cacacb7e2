"""Idempotency keys (API-7): the durable record of each keyed request and its first response.

``web/idempotency.py`` is the HTTP side; ``store.py`` claims, completes, releases and purges keys.
"""
