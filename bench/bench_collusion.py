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
("rob none", "rob none tm"), impartial.
"""

from __future__ import annotations

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


def payouts(columns: Columns, label: str) -> np.ndarray:
    method, policy = METHODS[label]
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
