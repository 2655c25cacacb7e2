"""Skills found in CV text: slugs and aliases, whole words, any case."""

from __future__ import annotations

import pytest

from mercenary.cvs.matching import SkillMatcher

TAXONOMY = [
    {"id": 1, "slug": "python", "aliases": ["py"]},
    {"id": 2, "slug": "java", "aliases": []},
    {"id": 3, "slug": "javascript", "aliases": ["js"]},
    {"id": 4, "slug": "c++", "aliases": ["cpp"]},
    {"id": 5, "slug": "c-sharp", "aliases": ["c#"]},
    {"id": 6, "slug": "node.js", "aliases": ["nodejs"]},
    {"id": 7, "slug": "go", "aliases": ["golang"]},
    {"id": 8, "slug": "postgresql", "aliases": ["postgres"]},
]


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher.from_taxonomy(TAXONOMY)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I write PYTHON daily.", {1}),
        ("JavaScript, then Java", {2, 3}),
        ("C++ / C# and Node.js.", {4, 5, 6}),
        ("Golang and Go; Postgres (PostgreSQL)", {7, 8}),
        ("js and py", {1, 3}),
        # Not whole words: inside other words, or joined to them.
        ("pythonic javas python-dev node.jsx goal cargo", set()),
        ("", set()),
    ],
)
def test_whole_words_in_any_case(matcher: SkillMatcher, text: str, found: set[int]) -> None:
    assert matcher.find(text) == found


def test_an_empty_taxonomy_finds_nothing() -> None:
    assert SkillMatcher({}).find("python") == set()
