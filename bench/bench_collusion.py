"""Collusion benchmark: how much extra pay rings and sock puppets win, per method.

Run:  python bench/bench_collusion.py
An honest community (600 members, 4 contributions of 2 hours each, known true quality 2..5 per
member, honest ratings = quality +/- 1, k = 3 reviewers drawn uniformly per contribution) is valued
once honestly and once with an attack. Excess pay is the attackers' pay minus what the same people
get in the honest run, in percentage points of the amount.

* ring: a fraction of members rate each other 5 and everyone else 1 when drawn.
* sock puppets: an owner (true quality 3) opens 1..10 extra accounts, splits its contributions
  across them, and every account of the owner reviews every contribution of the others with 5
  (unsolicited reviews: the engine takes reviews from anyone). Run twice: in an established
  community (every honest member has a reputation from earlier periods, the puppets none) and in
  a new one (nobody has a reputation yet).

Columns: mean, robust (defaults: ``trust_weighting = "eigentrust"``), robust with
``aggregate = "trimmed_mean"`` ("robust tm"), the same two with ``trust_weighting = "none"``
("rob none", "rob none tm"), impartial, and "imp before": impartial as it was before it was made
impartial to abstention and extra reviews (``_impartial_before``, kept here as a reference: it
took the median of all outside proposals and, for a cluster C, replaced C's proposals by the
ceiling, so the count of C's proposals moved C's pay).

Rows beyond the attacks: what one member gains by *not* writing one of the reviews it was drawn
for, and by writing three extra ones (rated 1) on others' work, for 60 members: how many of them
saw their own pay move, and their mean change in % of their honest pay; and, when every reviewer
rates a contribution at its author's true quality (reviewers agree), how far the pay is from
that consensus (sum over members of |pay - amount x value / total value|, in pp of the amount;
for impartial that is the remainder). "honest: remainder" is what impartial keeps back (to the
reserve) when honest reviewers disagree by +/- 1.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from commonshare.core.valuation import allocate_columns
from commonshare.core.valuation.columns import NO_EFFORT, Columns

N, PER, K, TOTAL = 600, 4, 3, 10**8
# column label -> (method, policy)
METHODS = {
    "mean": ("mean", {}),
    "robust": ("robust", {}),
    "robust tm": ("robust", {"aggregate": "trimmed_mean"}),
    "rob none": ("robust", {"trust_weighting": "none"}),
    "rob none tm": ("robust", {"trust_weighting": "none", "aggregate": "trimmed_mean"}),
    "impartial": ("impartial", {}),
    "imp before": ("impartial before", {}),
}
EMPTY = np.array([], dtype=np.int64)


def community(
    seed: int,
    ring: np.ndarray = EMPTY,
    owner: int = -1,
    puppets: int = 0,
    *,
    established: bool = False,
) -> tuple[Columns, np.ndarray]:
    """Columns and each member's true quality (puppets share their owner's)."""
    rng = np.random.default_rng(seed)
    quality = rng.integers(2, 6, N)
    author = np.repeat(np.arange(N), PER)
    n_c = author.size
    pool = rng.random((n_c, N)).argsort(axis=1)[:, : K + 1]
    reviewers = np.array([row[row != a][:K] for row, a in zip(pool, author, strict=True)])
    contribution = np.repeat(np.arange(n_c), K)
    reviewer = reviewers.ravel()
    rating = np.clip(quality[author[contribution]] + rng.integers(-1, 2, contribution.size), 0, 5)
    in_ring = np.zeros(N, dtype=bool)
    in_ring[ring] = True
    r_ring, a_ring = in_ring[reviewer], in_ring[author[contribution]]
    rating = np.where(r_ring & a_ring, 5, np.where(r_ring, 1, rating))
    n = N + puppets
    if puppets:
        accounts = np.concatenate([[owner], N + np.arange(puppets)])
        mine = np.flatnonzero(author == owner)
        author = author.copy()
        author[mine] = accounts[np.arange(mine.size) % accounts.size]
        extra = [(c, a) for c in mine for a in accounts if a != author[c]]
        extra = [(c, a) for c, a in extra if not np.any((contribution == c) & (reviewer == a))]
        contribution = np.concatenate([contribution, [c for c, _ in extra]])
        reviewer = np.concatenate([reviewer, [a for _, a in extra]])
        rating = np.concatenate([rating, np.full(len(extra), 5)])
        quality = np.concatenate([quality, np.full(puppets, quality[owner])])
    order = np.lexsort((reviewer, contribution))
    reputation = np.full(n, -1.0)
    if established:
        reputation[:N] = 0.7
    columns = Columns(
        member_ids=[f"m{i:05d}" for i in range(n)],
        reputation=reputation,
        contribution_ids=[f"c{i:06d}" for i in range(n_c)],
        contribution_kind=["work"] * n_c,
        contribution_member=author.astype(np.int64),
        contribution_effort=np.full(n_c, 2_000_000, dtype=np.int64),
        review_contribution=contribution[order].astype(np.int64),
        review_reviewer=reviewer[order].astype(np.int64),
        review_rating=rating[order].astype(np.int64),
        review_effort=np.full(contribution.size, NO_EFFORT, dtype=np.int64),
    )
    return columns, quality


def _impartial_before(columns: Columns, total: int, seed: str, count: int = 8) -> list[int]:
    """The construction ``impartial`` had until 2026-12-01, for comparison (same numbers as
    that code, by plain loops). Clusters: members ranked by sha256(seed, 'cluster', id) and
    dealt round-robin; value(c) = median of the proposals from outside the author's cluster;
    for each cluster C that proposed on c, den_C adds the median with C's proposals replaced by
    the ceiling (claimed x 5), minus value(c)."""
    ids = columns.member_ids
    m = max(1, min(count, len(ids)))
    ticket = [hashlib.sha256(f"{seed}\x1fcluster\x1f{i}".encode()).digest() for i in ids]
    ranked = sorted(range(len(ids)), key=lambda i: (ticket[i], ids[i]))
    cluster = [0] * len(ids)
    for place, i in enumerate(ranked):
        cluster[i] = place % m
    by_c: dict[int, list[tuple[int, int]]] = {}
    for c, r, rating, effort in zip(
        columns.review_contribution.tolist(),
        columns.review_reviewer.tolist(),
        columns.review_rating.tolist(),
        columns.review_effort.tolist(),
        strict=True,
    ):
        claim = int(columns.contribution_effort[c])
        author = int(columns.contribution_member[c])
        if cluster[r] != cluster[author]:
            estimate = claim if effort == NO_EFFORT else min(effort, claim)
            by_c.setdefault(c, []).append((estimate * rating, cluster[r]))

    def twice_median(values: list[int]) -> int:
        values = sorted(values)
        n = len(values)
        return values[(n - 1) // 2] + values[n // 2] if n else 0

    value = [0] * len(ids)
    lift = [0] * m
    for c, proposals in by_c.items():
        v2 = twice_median([p for p, _ in proposals])
        value[int(columns.contribution_member[c])] += v2
        ceiling = int(columns.contribution_effort[c]) * 5
        for k in {k for _, k in proposals}:
            raised = [ceiling if pk == k else p for p, pk in proposals]
            lift[k] += twice_median(raised) - v2
    total_value = sum(value)
    return [
        total * value[i] // (total_value + lift[cluster[i]])
        if total_value + lift[cluster[i]]
        else 0
        for i in range(len(ids))
    ]


def payouts(columns: Columns, label: str) -> np.ndarray:
    method, policy = METHODS[label]
    if method == "impartial before":
        return np.array(_impartial_before(columns, TOTAL, "c"), dtype=np.float64)
    run = allocate_columns(
        columns,
        currency="EUR",
        total_minor=TOTAL,
        method=method,
        seed="c",
        policy=policy,
        with_monitoring=False,
    )
    return np.array(run.engine.payout_minor, dtype=np.float64)


def excess(honest: Columns, attacked: Columns, method: str, who: np.ndarray, paid: int) -> float:
    """Percentage points of the amount the attackers gain over their honest pay."""
    before = payouts(honest, method)[who].sum()
    after = payouts(attacked, method)[np.concatenate([who, N + np.arange(paid)])].sum()
    return 100.0 * float(after - before) / TOTAL


def with_reviews(
    columns: Columns,
    keep: np.ndarray,
    extra: list[tuple[int, int, int]] = (),  # type: ignore[assignment]
) -> Columns:
    """``columns`` with only the reviews ``keep`` (a mask) plus ``extra`` (contribution,
    reviewer, rating) reviews, back in canonical order."""
    c = np.concatenate([columns.review_contribution[keep], [e[0] for e in extra]])
    r = np.concatenate([columns.review_reviewer[keep], [e[1] for e in extra]])
    rating = np.concatenate([columns.review_rating[keep], [e[2] for e in extra]])
    effort = np.concatenate([columns.review_effort[keep], np.full(len(extra), NO_EFFORT)])
    order = np.lexsort((r, c))
    fields: dict[str, Any] = {
        "review_contribution": c[order].astype(np.int64),
        "review_reviewer": r[order].astype(np.int64),
        "review_rating": rating[order].astype(np.int64),
        "review_effort": effort[order].astype(np.int64),
    }
    return Columns(**{**{f: getattr(columns, f) for f in Columns.__dataclass_fields__}, **fields})


def own_pay_moves(columns: Columns, label: str, *, abstain: bool) -> tuple[float, float]:
    """For 60 members: each skips one of its reviews (``abstain``) or writes three extra ones
    rated 1 on others' work. Share of them whose own pay moved, and the mean change of their
    own pay in % of what they were paid before."""
    rng = np.random.default_rng(7)
    base = payouts(columns, label)
    moved, change = 0, []
    members = rng.choice(N, 60, replace=False)
    for member in members.tolist():
        keep = np.ones(columns.n_reviews, dtype=bool)
        extra: list[tuple[int, int, int]] = []
        if abstain:
            keep[rng.choice(np.flatnonzero(columns.review_reviewer == member))] = False
        else:
            done = set(columns.review_contribution[columns.review_reviewer == member].tolist())
            others = np.flatnonzero(columns.contribution_member != member)
            for c in rng.choice([c for c in others.tolist() if c not in done], 3, replace=False):
                extra.append((int(c), member, 1))
        after = payouts(with_reviews(columns, keep, extra), label)[member]
        moved += after != base[member]
        change.append(100.0 * (after - base[member]) / max(base[member], 1.0))
    return 100.0 * moved / len(members), float(np.mean(change))


def off_consensus(columns: Columns, quality: np.ndarray, label: str) -> float:
    """Reviewers all rate at the author's true quality: sum of |pay - exact share| in pp."""
    agreeing = Columns(
        **{
            **{f: getattr(columns, f) for f in Columns.__dataclass_fields__},
            "review_rating": quality[columns.contribution_member[columns.review_contribution]],
        }
    )
    value = np.bincount(
        columns.contribution_member,
        weights=(columns.contribution_effort * quality[columns.contribution_member]).astype(float),
        minlength=N,
    )
    exact = TOTAL * value / value.sum()
    return 100.0 * float(np.abs(payouts(agreeing, label) - exact).sum()) / TOTAL


def row(label: str, numbers: list[float], digits: int = 3) -> None:
    print(f"| {label:<34} | " + " | ".join(f"{x:10.{digits}f}" for x in numbers) + " |")


def main() -> None:
    print(f"| {'attack':<34} | " + " | ".join(f"{m:>10}" for m in METHODS) + " |")
    print("|" + "-" * 36 + "|" + "|".join("-" * 12 for _ in METHODS) + "|")
    honest, quality = community(1)
    row(
        "honest: corr(pay, true quality)",
        [float(np.corrcoef(payouts(honest, m), quality)[0, 1]) for m in METHODS],
    )
    row(
        "honest: remainder (pp)",
        [100.0 * (TOTAL - payouts(honest, m).sum()) / TOTAL for m in METHODS],
    )
    for fraction in (0.05, 0.10, 0.20):
        ring = np.arange(int(N * fraction))
        attacked, _ = community(1, ring)
        row(
            f"ring {fraction:>4.0%} excess (pp)",
            [excess(honest, attacked, m, ring, 0) for m in METHODS],
        )
        # how well the honest members are still told apart while the ring operates
        outside = np.setdiff1d(np.arange(N), ring)
        row(
            f"ring {fraction:>4.0%}: corr(pay, q) of honest",
            [
                float(np.corrcoef(payouts(attacked, m)[outside], quality[outside])[0, 1])
                for m in METHODS
            ],
        )
    for abstain, what in ((True, "skip 1 review"), (False, "write 3 more")):
        moves = [own_pay_moves(honest, m, abstain=abstain) for m in METHODS]
        row(f"{what}: own pay moved (%)", [share for share, _ in moves], digits=1)
        row(f"{what}: mean own change (%)", [mean for _, mean in moves], digits=3)
    row("agreeing: pay off consensus (pp)", [off_consensus(honest, quality, m) for m in METHODS])
    _, q = community(2)
    owner = int(np.flatnonzero(q == 3)[0])
    for established in (True, False):
        base, _ = community(2, established=established)
        kind = "established" if established else "new community"
        for puppets in (1, 3, 10):
            attacked, _ = community(2, owner=owner, puppets=puppets, established=established)
            row(
                f"{puppets:>2} puppets, {kind} (pp)",
                [excess(base, attacked, m, np.array([owner]), puppets) for m in METHODS],
                digits=4,
            )


if __name__ == "__main__":
    main()
