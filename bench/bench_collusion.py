"""Collusion benchmark: how much extra pay rings and sock puppets win, per method.

Run:  python bench/bench_collusion.py
An honest community (known true quality per member, honest ratings = quality +/- 1, k = 3 reviewers
drawn uniformly per contribution) is valued once honestly and once with an attack. Excess pay is the
attackers' share of the amount minus their share in the honest run, in percent of the amount.
"""

from __future__ import annotations

import numpy as np

from commonshare.core.valuation import allocate_columns
from commonshare.core.valuation.columns import NO_EFFORT, Columns

N, PER, K, TOTAL = 600, 4, 3, 10**8


def community(
    rng: np.random.Generator, ring: np.ndarray, puppets_of: int, n_puppets: int
) -> tuple[Columns, np.ndarray]:
    n = N + n_puppets
    quality = rng.integers(2, 6, n)
    author = np.repeat(np.arange(N), PER)
    n_c = author.size
    reviewers = np.empty((n_c, K), dtype=np.int64)
    for c in range(n_c):
        pool = rng.choice(n - 1, K, replace=False)
        reviewers[c] = np.where(pool >= author[c], pool + 1, pool)
    contribution = np.repeat(np.arange(n_c), K)
    reviewer = reviewers.ravel()
    rating = np.clip(quality[author[contribution]] + rng.integers(-1, 2, contribution.size), 0, 5)
    in_ring = np.zeros(n, dtype=bool)
    in_ring[ring] = True
    r_ring, a_ring = in_ring[reviewer], in_ring[author[contribution]]
    rating = np.where(r_ring & a_ring, 5, np.where(r_ring, 1, rating))
    puppet = reviewer >= N
    target = author[contribution] == puppets_of
    rating = np.where(puppet & target, 5, np.where(puppet, 0, rating))
    order = np.lexsort((reviewer, contribution))
    columns = Columns(
        member_ids=[f"m{i:05d}" for i in range(n)],
        reputation=np.full(n, -1.0),
        contribution_ids=[f"c{i:06d}" for i in range(n_c)],
        contribution_kind=["work"] * n_c,
        contribution_member=author.astype(np.int64),
        contribution_effort=np.full(n_c, 2_000_000, dtype=np.int64),
        review_contribution=contribution[order],
        review_reviewer=reviewer[order],
        review_rating=rating[order].astype(np.int64),
        review_effort=np.full(contribution.size, NO_EFFORT, dtype=np.int64),
    )
    return columns, quality


def pay(columns: Columns, method: str, members: np.ndarray) -> float:
    run = allocate_columns(
        columns, currency="EUR", total_minor=TOTAL, method=method, seed="c", with_monitoring=False
    )
    return 100.0 * sum(run.engine.payout_minor[int(m)] for m in members) / TOTAL


def main() -> None:
    methods = ("mean", "robust", "impartial")
    print(f"| {'attack':<24} | " + " | ".join(f"{m:>10}" for m in methods) + " |")
    print("|" + "-" * 26 + "|" + "|".join("-" * 12 for _ in methods) + "|")
    for fraction in (0.05, 0.10, 0.20):
        ring = np.arange(int(N * fraction))
        row = []
        for method in methods:
            honest, _ = community(np.random.default_rng(1), np.array([], dtype=int), -1, 0)
            attacked, _ = community(np.random.default_rng(1), ring, -1, 0)
            row.append(pay(attacked, method, ring) - pay(honest, method, ring))
        print(
            f"| ring {fraction:>4.0%} excess (pp)      | "
            + " | ".join(f"{x:10.3f}" for x in row)
            + " |"
        )
    for puppets in (1, 3, 10):
        row = []
        member = np.array([0])
        for method in methods:
            honest, _ = community(np.random.default_rng(2), np.array([], dtype=int), -1, puppets)
            attacked, _ = community(np.random.default_rng(2), np.array([], dtype=int), 0, puppets)
            row.append(pay(attacked, method, member) - pay(honest, method, member))
        print(
            f"| {puppets:>2} sock puppets (pp)     | "
            + " | ".join(f"{x:10.4f}" for x in row)
            + " |"
        )


if __name__ == "__main__":
    main()
