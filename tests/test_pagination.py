"""The one keyset path: a cursor becomes a neutral ``Keyset``, rows come back as a ``Slice`` and a page."""

from __future__ import annotations

import orjson
import pytest

from mercenary.db.keyset import Keyset
from mercenary.db.metadata import MAX_ID
from mercenary.web.errors import InvalidCursorError
from mercenary.web.pagination import BY_RANK, CursorCodec, Pager

CODEC = CursorCodec("k" * 40)


def test_a_keyset_fetches_one_more_row_and_cuts_it_off() -> None:
    first = Keyset(None, 2)
    assert first.fetch == 3 and first.id_above() == 0 and first.id_below() == MAX_ID
    rows = [{"id": 9, "rank": 0.5}, {"id": 8, "rank": 0.25}, {"id": 7, "rank": 0.25}]
    page = first.cut(rows, ("rank", "id"))
    assert page.items == rows[:2] and page.next_after == (0.25, 8) and page.has_more
    last = Keyset((0.25, 8), 2).cut(rows[2:], ("rank", "id"))
    assert last.items == rows[2:] and last.next_after is None and not last.has_more
    assert Keyset((8,), 5).id_below() == Keyset((8,), 5).id_above() == 8


def test_a_pager_round_trips_its_key() -> None:
    pager = Pager(CODEC, "things", BY_RANK)
    page = Keyset(None, 1).cut([{"id": 3, "rank": 1.5}, {"id": 2, "rank": 1.0}], ("rank", "id"))
    body = orjson.loads(pager.response(page, [{"id": 3}]).body)
    assert body == {"items": [{"id": 3}], "next_cursor": body["next_cursor"], "has_more": True}
    assert pager.keyset(body["next_cursor"], 7) == Keyset((1.5, 3), 7)
    assert pager.keyset(None, 7) == pager.keyset("", 7) == Keyset(None, 7)
    end = orjson.loads(pager.response(Keyset(None, 5).cut([], ("id",)), []).body)
    assert end == {"items": [], "next_cursor": None, "has_more": False}


@pytest.mark.parametrize("key", [[], [1, 2], ["1"], [True], [1.5]])
def test_a_cursor_of_another_shape_is_refused(key: list[object]) -> None:
    pager = Pager(CODEC, "things")
    with pytest.raises(InvalidCursorError):
        pager.keyset(CODEC.encode("things", key), 20)
    assert pager.keyset(CODEC.encode("things", [5]), 20) == Keyset((5,), 20)


def test_a_rank_may_come_back_as_a_whole_number() -> None:
    pager = Pager(CODEC, "things", BY_RANK)
    assert pager.keyset(CODEC.encode("things", [2, 9]), 20) == Keyset((2.0, 9), 20)
    with pytest.raises(InvalidCursorError):
        pager.keyset(CODEC.encode("things", [2.0, 9.5]), 20)
    with pytest.raises(InvalidCursorError):
        pager.keyset(CODEC.encode("other", [2.0, 9]), 20)
