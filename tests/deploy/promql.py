"""The metric names a PromQL expression reads, without a PromQL parser: label matchers, strings,
ranges, grouping clauses, Grafana variables and function calls are taken out, and what is left that
looks like a name is one."""

from __future__ import annotations

import re

KEYWORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"})
KEYWORDS |= {"and", "or", "unless", "inf", "nan"}
# Series Prometheus makes for every target rather than reading them from the service.
PROMETHEUS_OWN = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped"})

_DROPPED = (
    re.compile(r'"(?:[^"\\]|\\.)*"'),  # strings (label values)
    re.compile(r"\{[^}]*\}"),  # label matchers
    re.compile(r"\[[^\]]*\]"),  # ranges
    re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"),  # label lists
    re.compile(r"\$\{?\w+\}?"),  # Grafana variables
)
_NAME = re.compile(r"(?<![\w.])[A-Za-z_:][A-Za-z0-9_:]*")  # not the unit of a number (5m, 1e3)


def metric_names(expr: str) -> set[str]:
    """The metric names ``expr`` selects."""
    for pattern in _DROPPED:
        expr = pattern.sub(" ", expr)
    names = set()
    for match in _NAME.finditer(expr):
        following = expr[match.end() :].lstrip()[:1]
        word = match.group()
        if following == "(" or word.lower() in KEYWORDS:
            continue  # a function or an aggregation
        names.add(word)
    return names
