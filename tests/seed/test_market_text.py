"""The seeded project text has a realistic vocabulary: thousands of distinct terms with a Zipf frequency,
each word tied to one topic (so to its skills), not a few hundred words that match everything."""

from __future__ import annotations

import random
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from mercenary.seed import market_words as w
from mercenary.seed import vocabulary
from mercenary.seed.bulk import SCALES
from mercenary.seed.market import plan_projects, project_rows
from mercenary.seed.market_text import TopicWords, Zipf
from mercenary.seed.taxonomy import TAXONOMY

STOP = {"about", "after", "with", "this", "that", "their", "there", "which", "your", "than", "were", "have"}


def test_the_word_list_is_small_clean_and_distinct() -> None:
    assert Path(vocabulary.__file__).stat().st_size < 200_000
    words = vocabulary.WORDS
    assert len(words) == len(set(words)) == 8000
    assert all(re.fullmatch(r"[a-z]{4,12}", x) for x in words)
    assert not STOP & set(words)


def test_zipf_sampler_shape() -> None:
    rng = random.Random(3)
    law = Zipf(500)
    counts = Counter(law.draw(rng) for _ in range(100_000))
    assert counts[0] / counts[4] == pytest.approx(5, rel=0.15)
    assert set(counts) <= set(range(500))
    assert 0 < counts[499] < counts[0] / 200  # the rarest rank is drawn ~500 times less than the first
    with pytest.raises(ValueError, match="at least one rank"):
        Zipf(0)


def test_each_topic_owns_its_words() -> None:
    topics = TopicWords(len(w.TOPICS))
    owners: dict[str, int] = {}
    for t, share in enumerate(topics.shares):
        for word in share:
            assert owners.setdefault(word, t) == t
    assert len(owners) == len(vocabulary.WORDS)
    rng = random.Random(1)
    picked = topics.draw(rng, 2, 5)
    assert len(set(picked)) == len(picked) == 5 and set(picked) <= set(topics.shares[2])
    assert topics.sentence(rng, 0).endswith(".")


@pytest.fixture(scope="module")
def full_text() -> list[tuple[int, str, str, int]]:
    """(id, title, description, topic) of every project of the full scale (generated, not stored)."""
    taxonomy = [(i, s.name.lower(), s.category) for i, s in enumerate(TAXONOMY, start=1)]
    rng = random.Random(1)
    plan = plan_projects(SCALES["full"], rng, taxonomy)
    return [(r[0], r[3], r[4], plan.topics[r[0] - 1]) for r in project_rows(plan, rng)]


def test_full_scale_text_has_thousands_of_terms_with_a_zipf_frequency(
    full_text: list[tuple[int, str, str, int]],
) -> None:
    conn = sqlite3.connect(":memory:")
    # the service's own index: FTS5 with the Porter stemmer, so stems are counted as the search sees them
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(title, description, tokenize='porter unicode61')")
    conn.executemany("INSERT INTO f(rowid, title, description) VALUES (?, ?, ?)", (r[:3] for r in full_text))
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, row)")
    docs = [d for (d,) in conn.execute("SELECT doc FROM v ORDER BY doc DESC")]
    assert len(docs) >= 5000  # was ~350 before the long tail
    tail = docs[500:5000]  # past the template words: the vocabulary's long tail
    assert tail[0] / tail[-1] > 5  # a few words are common, most are rare
    assert sum(1 for d in docs if d <= 20) > 2000  # thousands of selective words
    assert docs[-1] <= 3


def test_a_word_appears_only_with_its_topic(full_text: list[tuple[int, str, str, int]]) -> None:
    topics = TopicWords(len(w.TOPICS))
    owner = {word: t for t, share in enumerate(topics.shares) for word in share}
    for _, _, description, topic in full_text[:5000]:
        words = re.findall(r"[a-z]+", description.rsplit(":", 1)[-1])
        tail = [x for x in words if x != "and"]
        assert tail and all(owner.get(x) == topic for x in tail)
