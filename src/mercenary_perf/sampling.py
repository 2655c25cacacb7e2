"""Skewed choices for realistic traffic: Zipf hot sets of ids, and search queries drawn from the seeded text.

Real traffic is not uniform: a few projects get most of the views, a few words most of the searches.
Uniform choices over a large dataset make every cache look useless; choices over a handful of values
make every cache look perfect. Both laws here are Zipf's: the item of rank ``k`` (from 1) is drawn
with probability proportional to ``1 / k ** s`` (``s`` = :data:`ZIPF_S` unless told otherwise).
With ``s = 1`` over 20,000 ids, the hottest 1 % take about 56 % of the draws and the hottest 10 %
about 78 %: a cache that holds a tenth of the ids can reach a ~78 % hit ratio, not 100 %.
"""

from __future__ import annotations

import bisect
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

ZIPF_S = 1.0
WORD_COUNTS = (1, 2, 3)
WORD_COUNT_WEIGHTS = (50, 35, 15)  # one word in half of the searches, three in 15 %
SKILL_FILTER_SHARE = 0.3  # searches that also filter by a skill
# Words in more than this share of the sampled projects are the text generator's boilerplate ("work",
# "keywords"): nobody searches for them. Applied from BOILERPLATE_MIN_DOCS sampled projects on.
BOILERPLATE_SHARE = 0.15
BOILERPLATE_MIN_DOCS = 20
FALLBACK_WORDS = ("python", "design", "data", "api", "mobile")  # when no project text could be read
# Words the service's search drops (PostgreSQL's English stop words, and a few short ones).
_STOP = """about above after again against because been before being below between both does doing down
    during each further have having here hers herself himself into itself more most myself once only other
    ours ourselves over same should some such than that their theirs them themselves then there these
    they this those through under until very were what when where which while whom with your yours
    yourself yourselves and are but can did for from had has her him his how its not nor now off our out
    own she the too was who why will you all any few"""
STOP_WORDS = frozenset(_STOP.split())
_WORD = re.compile(r"[a-z]{3,}")


class Zipf:
    """Ranks ``0 .. n - 1`` drawn with probability proportional to ``1 / (rank + 1) ** s``; it can grow."""

    def __init__(self, n: int, s: float = ZIPF_S) -> None:
        self.s = s
        self.cumulative: list[float] = []
        for _ in range(n):
            self.grow()

    def __len__(self) -> int:
        return len(self.cumulative)

    def grow(self) -> None:
        """Add one rank after the last (the least likely so far)."""
        total = self.cumulative[-1] if self.cumulative else 0.0
        self.cumulative.append(total + 1.0 / (len(self.cumulative) + 1) ** self.s)

    def draw(self, rng: random.Random) -> int:
        """One rank; raises IndexError when there is none."""
        if not self.cumulative:
            raise IndexError("no ranks to draw from")
        rank = bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])
        return min(rank, len(self.cumulative) - 1)


class HotSet(Generic[T]):
    """Items shuffled once into a popularity order; the item at position ``k`` is drawn with Zipf's law."""

    def __init__(self, items: Iterable[T], rng: random.Random, s: float = ZIPF_S) -> None:
        self.items = list(items)
        rng.shuffle(self.items)
        self.law = Zipf(len(self.items), s)

    def __len__(self) -> int:
        return len(self.items)

    def draw(self, rng: random.Random) -> T | None:
        """A hot item most of the time, a cold one now and then; None when the set is empty."""
        return self.items[self.law.draw(rng)] if self.items else None

    def add(self, item: T) -> None:
        """Add a new item at the cold end (a project posted during the run)."""
        self.items.append(item)
        self.law.grow()


def words_of(text: str) -> list[str]:
    """The distinct searchable words of ``text`` (lower case, three letters or more, no stop words)."""
    return list(dict.fromkeys(w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS))


@dataclass(frozen=True)
class _Doc:
    words: tuple[str, ...]
    skills: tuple[str, ...]


class SearchTerms:
    """Search queries over the words of sampled open projects.

    The words are ranked by how many sampled projects contain them (ties in a seeded random order) and
    the first word of a query is drawn with Zipf's law over that rank: broad words are searched most.
    Words found in more than 15 % of the projects are boilerplate and left out.
    A query has 1, 2 or 3 words (50 / 35 / 15 %); the later words come from one sampled project that
    has the first, so a multi-word query finds something, as a real user's would. 30 % of the queries
    also filter by one of that project's skills.
    """

    def __init__(self, texts: Sequence[dict[str, Any]], rng: random.Random, s: float = ZIPF_S) -> None:
        docs = [
            _Doc(
                tuple(words_of(f"{t.get('title') or ''} {t.get('description') or ''}")),
                tuple(t.get("skills", ())),
            )
            for t in texts
        ]
        if len(docs) >= BOILERPLATE_MIN_DOCS:
            frequency = Counter(w for d in docs for w in d.words)
            common = {w for w, n in frequency.items() if n > BOILERPLATE_SHARE * len(docs)}
            docs = [_Doc(tuple(w for w in d.words if w not in common), d.skills) for d in docs]
        docs = [d for d in docs if d.words]
        self.from_project_text = bool(docs)  # else the few fallback words (the run's notes say so)
        self.docs = docs or [_Doc((w,), ()) for w in FALLBACK_WORDS]
        frequency = Counter(w for d in self.docs for w in d.words)
        order = list(frequency)
        rng.shuffle(order)
        self.ranked = sorted(order, key=lambda w: -frequency[w])  # stable: ties keep the shuffled order
        self.containing: dict[str, list[int]] = {}
        for i, d in enumerate(self.docs):
            for w in d.words:
                self.containing.setdefault(w, []).append(i)
        self.law = Zipf(len(self.ranked), s)

    def query(self, rng: random.Random) -> dict[str, str]:
        """The query parameters of one search: ``q`` and sometimes ``skills``."""
        first = self.ranked[self.law.draw(rng)]
        doc = self.docs[rng.choice(self.containing[first])]
        n = rng.choices(WORD_COUNTS, WORD_COUNT_WEIGHTS)[0]
        others = [w for w in doc.words if w != first]
        words = [first, *rng.sample(others, min(n - 1, len(others)))]
        params = {"q": " ".join(words)}
        if doc.skills and rng.random() < SKILL_FILTER_SHARE:
            params["skills"] = rng.choice(doc.skills)
        return params
