"""Proposals and reviews for the marketplace seed, derived from the project plan."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mercenary.seed import market_words as w
from mercenary.seed.bulk import Scale

PROPOSAL_COLUMNS = (
    "id",
    "project_id",
    "tenant_id",
    "freelancer_id",
    "cover_letter",
    "price",
    "status",
    "created_at",
    "updated_at",
)
REVIEW_COLUMNS = ("id", "project_id", "reviewer_id", "reviewee_id", "rating", "text", "created_at")
AGGREGATE_COLUMNS = ("user_id", "count", "total", "r1", "r2", "r3", "r4", "r5", "updated_at")
# What happens to the bids that were not accepted, by project status.
OTHER_BIDS = {
    "open": (("submitted", "withdrawn", "rejected"), (8, 1, 1)),
    "closed": (("rejected", "withdrawn"), (9, 1)),
    "cancelled": (("rejected", "withdrawn"), (85, 15)),
}
STARS = (1, 2, 3, 4, 5)
STAR_WEIGHTS = (3, 5, 12, 35, 45)


@dataclass
class Plan:
    """The generated projects, one entry per project in id order (project id = index + 1)."""

    statuses: list[str]
    now: datetime
    owners: list[int] = field(default_factory=list)
    tenants: list[int] = field(default_factory=list)
    topics: list[int] = field(default_factory=list)
    techs: list[str] = field(default_factory=list)  # the technology named in the title
    budgets: list[int] = field(default_factory=list)
    created: list[datetime] = field(default_factory=list)
    skills: list[tuple[int, ...]] = field(default_factory=list)
    # The freelancer hired on each closed project (filled while generating proposals).
    hired: dict[int, int] = field(default_factory=dict)


@dataclass
class Rows:
    """Rows for one table."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def _cover_letters(rng: random.Random) -> list[list[str]]:
    """A few hundred cover letters per topic, shared between proposals (bounded memory)."""
    out = []
    for topic in w.TOPICS:
        letters = []
        for _ in range(200):
            opening = rng.choice(w.COVER_OPENINGS).format(
                years=rng.randint(2, 15), tech=rng.choice(topic.tech), noun=rng.choice(topic.nouns)
            )
            letters.append(f"{opening} {rng.choice(w.COVER_BODIES)}")
        out.append(letters)
    return out


def _bid_counts(plan: Plan, scale: Scale, rng: random.Random) -> list[int]:
    """How many proposals each project gets: one for each closed project (the hire), the rest spread
    over every published project."""
    counts = [1 if s == "closed" else 0 for s in plan.statuses]
    published = [i for i, s in enumerate(plan.statuses) if s != "draft"]
    remaining = scale.proposals - sum(counts)
    if published and remaining > 0:
        for i in rng.choices(published, k=remaining):
            counts[i] += 1
    return counts


def proposal_rows(
    plan: Plan, scale: Scale, rng: random.Random
) -> tuple[tuple[str, ...], Iterator[tuple[Any, ...]], int]:
    """(columns, rows, total) for ``proposals``; records each closed project's hire in ``plan.hired``."""
    counts = _bid_counts(plan, scale, rng)
    first_freelancer = scale.clients + 2
    letters = _cover_letters(rng)

    def rows() -> Iterator[tuple[Any, ...]]:
        next_id = 1
        for i, status in enumerate(plan.statuses):
            k = min(counts[i], scale.freelancers)
            if not k:
                continue
            bidders = [first_freelancer + b for b in rng.sample(range(scale.freelancers), k)]
            others, weights = OTHER_BIDS[status]
            fates = rng.choices(others, weights, k=k)
            if status == "closed":
                fates[0] = "accepted"
                plan.hired[i] = bidders[0]
            created: datetime = plan.created[i]
            for bidder, fate in zip(bidders, fates, strict=True):
                at = min(plan.now, created + timedelta(minutes=rng.randrange(20_000)))
                price = max(0, int(plan.budgets[i] * rng.uniform(0.6, 1.15)))
                letter = rng.choice(letters[plan.topics[i]])
                yield (next_id, i + 1, plan.tenants[i], bidder, letter, price, fate, at, at)
                next_id += 1

    return PROPOSAL_COLUMNS, rows(), sum(min(c, scale.freelancers) for c in counts)


def review_rows(plan: Plan, scale: Scale, rng: random.Random) -> tuple[Rows, Rows]:
    """``reviews`` between each closed project's owner and hire (once per side, up to
    ``scale.reviews``) and the ``rating_aggregates`` that sum them up."""
    sides = [(i, side) for i in sorted(plan.hired) for side in (0, 1)]
    chosen = sorted(rng.sample(sides, min(scale.reviews, len(sides))))
    stars = rng.choices(STARS, STAR_WEIGHTS, k=len(chosen))
    reviews: list[tuple[Any, ...]] = []
    totals: dict[int, list[int]] = {}
    for n, ((i, side), rating) in enumerate(zip(chosen, stars, strict=True), start=1):
        owner, hire = plan.owners[i], plan.hired[i]
        reviewer, reviewee = (owner, hire) if side == 0 else (hire, owner)
        at = min(plan.now, plan.created[i] + timedelta(days=21, minutes=n % 1440))
        reviews.append((n, i + 1, reviewer, reviewee, rating, rng.choice(w.REVIEW_TEXTS[rating]), at))
        agg = totals.setdefault(reviewee, [0, 0, 0, 0, 0, 0, 0])
        agg[0] += 1
        agg[1] += rating
        agg[1 + rating] += 1
    aggregates = [(user, *agg, plan.now) for user, agg in sorted(totals.items())]
    return Rows(REVIEW_COLUMNS, reviews), Rows(AGGREGATE_COLUMNS, aggregates)
