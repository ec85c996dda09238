"""How long `commonshare demo --no-serve` takes, against a bare `commonshare init` (migrate).

    python bench/bench_demo.py [--runs 3]

Each run uses a fresh data folder. "first run" also gives Numba a fresh, empty cache folder
(NUMBA_CACHE_DIR), as on a new install: the `robust` loops are compiled. "again" reuses
that cache. Wall seconds depend on what else the machine runs, so the table gives the
ratio of each to the yardstick measured in the same round, and the CPU seconds of the
processes (the demo's own and its warm-up process).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def _timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(  # noqa: S603 - this Python, fixed arguments
        [sys.executable, "-m", "commonshare", *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    rows: dict[str, list[tuple[float, float, float]]] = {
        "init (migrate only)": [],
        "demo, first run": [],
        "demo, again": [],
    }
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            env = {**base, "NUMBA_CACHE_DIR": os.path.join(folder, "numba")}
            yard_env = {**env, "COMMONSHARE_DATA_DIR": os.path.join(folder, "yardstick")}
            yard = _timed(["init"], yard_env)
            for label, data in (("demo, first run", "first"), ("demo, again", "again")):
                demo_env = {**env, "COMMONSHARE_DATA_DIR": os.path.join(folder, data)}
                wall, cpu = _timed(["demo", "--no-serve", "--reset"], demo_env)
                rows[label].append((wall, cpu, wall / yard[0]))
            rows["init (migrate only)"].append((yard[0], yard[1], 1.0))
    load = os.getloadavg()[0]
    print(f"{runs} rounds, load average {load:.1f} on {os.cpu_count()} cores (medians)")
    print(f"{'':<22}{'wall s':>8}{'cpu s':>8}{'x init':>8}")
    for label, values in rows.items():
        wall, cpu, ratio = (statistics.median(v[i] for v in values) for i in range(3))
        print(f"{label:<22}{wall:>8.2f}{cpu:>8.2f}{ratio:>8.2f}")


if __name__ == "__main__":
    main()
