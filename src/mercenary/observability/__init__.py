"""What the service tells its operators (OBS-1, OBS-2): Prometheus metrics and structured logs.

``context`` holds the request's correlation id, caller and route for every log line; ``logs`` formats
and configures logging; ``registry`` defines every metric series; ``publish`` copies the counters other
parts keep (cache, pool, process) into those series; ``exposition`` renders ``/metrics`` and decides
who may read it. The per-request work lives in ``web/middleware/observe.py``.
"""
