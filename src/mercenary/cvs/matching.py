"""Skills named in a CV's text: every slug and alias of the taxonomy, as whole words, in any case.

"Whole word" allows the characters skill names use: ``c++``, ``c#`` and ``node.js`` match as
written, ``java`` does not match inside ``javascript``, ``python`` not inside ``python-dev``, and a
name followed by a full stop ending a sentence still counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# Before a name: not a letter, digit or one of the joining characters. After it: neither those,
# nor a full stop or hyphen that goes on into another word ("node.js" is not "node").
_BEFORE = r"(?<![\w+#.-])"
_AFTER = r"(?![\w+#])(?![.-]\w)"


class SkillMatcher:
    """Finds skill ids in text; built once per taxonomy (``names``: slug or alias -> skill id)."""

    def __init__(self, names: Mapping[str, int]) -> None:
        self._ids = {name.lower(): skill_id for name, skill_id in names.items()}
        # Longest first: at one position the longer name wins ("javascript" over "java").
        alternatives = sorted(self._ids, key=lambda n: (-len(n), n))
        self._pattern = (
            re.compile(f"{_BEFORE}(?:{'|'.join(map(re.escape, alternatives))}){_AFTER}", re.IGNORECASE)
            if alternatives
            else None
        )

    @classmethod
    def from_taxonomy(cls, skills: Iterable[Mapping[str, object]]) -> SkillMatcher:
        """From ``skills.service.list_skills`` rows (``id``, ``slug``, ``aliases``)."""
        names: dict[str, int] = {}
        for skill in skills:
            skill_id = int(str(skill["id"]))
            names[str(skill["slug"])] = skill_id
            for alias in skill["aliases"]:  # type: ignore[attr-defined]
                names[str(alias)] = skill_id
        return cls(names)

    def find(self, text: str) -> set[int]:
        """The ids of the skills ``text`` names."""
        if self._pattern is None:
            return set()
        return {self._ids[m.group(0).lower()] for m in self._pattern.finditer(text)}
