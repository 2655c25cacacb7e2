"""The long tail of the generated project text: vocabulary words drawn with a Zipf law, by topic.

Every project description ends with a sentence of 2-6 distinct words ("Keywords: ...") drawn from its
topic's share of :data:`~mercenary.seed.vocabulary.WORDS`: topic ``t`` of ``T`` owns the words of rank
``t, t + T, t + 2T, ...``, so a word always appears beside the same technologies and skills, and within
a topic the word of rank ``k`` (from 1) is drawn with probability proportional to ``1 / k ** ZIPF_S``.
Every topic gets about the same share of the projects, so across the whole dataset a word's frequency
still falls as ``1 / rank ** ZIPF_S`` (Zipf's law for natural text). At full scale (100,000 projects)
about 7,900 distinct words appear: the commonest in about 1,400 projects, the rarest in one or two, so a
search for a rare word is selective and a cache meets both hot and cold queries.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence

from mercenary.seed.vocabulary import WORDS

ZIPF_S = 1.0
WORDS_PER_PROJECT = (2, 6)
TEMPLATES = ("Keywords: {}.", "Tags: {}.", "Also relevant: {}.", "Related: {}.")


class Zipf:
    """Ranks ``0 .. n - 1`` drawn with probability proportional to ``1 / (rank + 1) ** s``."""

    def __init__(self, n: int, s: float = ZIPF_S) -> None:
        if n < 1:
            raise ValueError("a Zipf law needs at least one rank")
        self.cumulative = list(itertools.accumulate(1.0 / (k + 1) ** s for k in range(n)))

    def draw(self, rng: random.Random) -> int:
        """One rank (0 is the most likely)."""
        return min(
            bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1]), len(self.cumulative) - 1
        )


class TopicWords:
    """Each topic's share of the ranked vocabulary, with a Zipf sampler over it."""

    def __init__(self, topics: int, words: Sequence[str] = WORDS, s: float = ZIPF_S) -> None:
        self.shares = [tuple(words[t::topics]) for t in range(topics)]
        self.laws = [Zipf(len(share), s) for share in self.shares]

    def draw(self, rng: random.Random, topic: int, k: int) -> list[str]:
        """Up to ``k`` distinct words of ``topic`` (popular ones often, rare ones seldom)."""
        share, law = self.shares[topic], self.laws[topic]
        picked: list[str] = []
        for _ in range(4 * k):
            word = share[law.draw(rng)]
            if word not in picked:
                picked.append(word)
                if len(picked) == k:
                    break
        return picked

    def sentence(self, rng: random.Random, topic: int) -> str:
        """The closing sentence of a description, e.g. ``Keywords: ledger, harbor and fossil.``"""
        words = self.draw(rng, topic, rng.randint(*WORDS_PER_PROJECT))
        listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
        return rng.choice(TEMPLATES).format(listed)
