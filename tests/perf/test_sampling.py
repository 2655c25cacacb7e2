"""The skewed choices of the traffic: Zipf's law, hot sets, search terms and fresh bids."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from mercenary_perf.sampling import FALLBACK_WORDS, HotSet, SearchTerms, Zipf, words_of
from mercenary_perf.scenarios.actions import Bids


def _harmonic(n: int) -> float:
    return sum(1 / k for k in range(1, n + 1))


def test_zipf_has_the_shape_of_its_law() -> None:
    rng = random.Random(7)
    law = Zipf(1000)
    counts = Counter(law.draw(rng) for _ in range(200_000))
    assert set(counts) <= set(range(1000))
    assert counts[0] / counts[9] == pytest.approx(10, rel=0.15)  # P(k) ~ 1/k
    assert counts[0] / counts[1] == pytest.approx(2, rel=0.05)
    top_tenth = sum(counts[k] for k in range(100)) / 200_000
    assert top_tenth == pytest.approx(_harmonic(100) / _harmonic(1000), abs=0.01)  # ~69 %
    steep = Zipf(1000, s=2)
    steeper = Counter(steep.draw(rng) for _ in range(20_000))
    assert steeper[0] / 20_000 == pytest.approx(1 / sum(1 / k**2 for k in range(1, 1001)), abs=0.02)


def test_zipf_grows_and_refuses_to_draw_from_nothing() -> None:
    law = Zipf(0)
    with pytest.raises(IndexError):
        law.draw(random.Random(1))
    law.grow()
    law.grow()
    assert len(law) == 2
    assert law.cumulative == pytest.approx([1.0, 1.5])


def test_hot_set_is_a_seeded_popularity_order() -> None:
    items = list(range(20_000))
    a, b = HotSet(items, random.Random(3)), HotSet(items, random.Random(3))
    assert a.items == b.items != items  # shuffled, the same for the same seed
    rng = random.Random(4)
    counts = Counter(a.draw(rng) for _ in range(50_000))
    hottest = a.items[:200]  # the hottest 1 %
    share = sum(counts[i] for i in hottest) / 50_000
    assert share == pytest.approx(_harmonic(200) / _harmonic(20_000), abs=0.02)  # ~56 %
    empty: HotSet[int] = HotSet([], rng)
    assert empty.draw(rng) is None
    empty.add(9)
    assert empty.draw(rng) == 9


def _texts() -> list[dict[str, object]]:
    rng = random.Random(5)
    vocabulary = [f"word{chr(97 + i)}{chr(97 + j)}" for i in range(26) for j in range(10)]
    out = []
    for pid in range(400):
        words = set(rng.choices(vocabulary, [1 / (k + 1) ** 0.8 for k in range(260)], k=8))
        out.append(
            {"id": pid, "title": "Build the api", "description": " ".join(words), "skills": [f"s{pid % 7}"]}
        )
    return out


def test_search_terms_follow_the_text_and_stay_coherent() -> None:
    texts = _texts()
    terms = SearchTerms(texts, random.Random(1))
    assert terms.from_project_text
    assert "build" not in terms.ranked and "api" not in terms.ranked  # in every project: boilerplate
    assert len(terms.ranked) > 50
    rng = random.Random(2)
    queries = [terms.query(rng) for _ in range(4000)]
    sizes = Counter(len(q["q"].split()) for q in queries)
    assert sizes[1] / 4000 == pytest.approx(0.50, abs=0.04)
    assert sizes[2] / 4000 == pytest.approx(0.35, abs=0.04)
    assert sizes[3] / 4000 == pytest.approx(0.15, abs=0.03)
    with_skill = [q for q in queries if "skills" in q]
    assert len(with_skill) / 4000 == pytest.approx(0.30, abs=0.04)
    by_words = [set(words_of(str(t["description"]))) for t in texts]
    for q in queries[:500]:  # every query's words (and skill) come from one project
        words = set(q["q"].split())
        assert any(
            words <= ws and ("skills" not in q or q["skills"] == f"s{i % 7}") for i, ws in enumerate(by_words)
        )
    firsts = Counter(q["q"].split()[0] for q in queries)
    assert firsts.most_common(1)[0][1] > 4000 / len(terms.ranked) * 5  # skewed, not uniform
    assert len(firsts) > 40  # and with a long tail


def test_search_terms_without_text_fall_back_and_say_so() -> None:
    terms = SearchTerms([{"id": 1, "title": None, "description": None}], random.Random(1))
    assert not terms.from_project_text
    assert {terms.query(random.Random(i))["q"] for i in range(50)} <= set(FALLBACK_WORDS)
    assert words_of("The API, the api and an e-commerce shop!") == ["api", "commerce", "shop"]


def test_bids_never_repeat_a_live_pair_and_say_when_none_is_left() -> None:
    rng = random.Random(1)
    bids = Bids(HotSet(range(1, 11), rng), {100: {1, 2, 3}, 200: set()})
    picked = [bids.pick(rng, [100, 200]) for _ in range(17)]
    pairs = [p for p in picked if p is not None]
    assert len(set(pairs)) == 17
    assert {p for f, p in pairs if f == 100}.isdisjoint({1, 2, 3})  # seeded live proposals
    assert bids.pick(rng, [100, 200]) is None  # 7 + 10 pairs were all there was
    assert bids.target(rng, 300) is not None  # a freelancer the sample did not know starts empty
    assert Bids(HotSet([], rng), {}).target(rng, 1) is None
