"""The review page against the bare review form of the same 300 rows, in turns (A B A B ...).

    python bench/review_pairs.py setup sqlite:////tmp/ab-bench-review.sqlite3   # once: migrate + large data
    python bench/review_pairs.py measure sqlite:////tmp/ab-bench-review.sqlite3 --pairs 21

`setup` builds the large data set as bench/run.py's worker does and keeps it, with its ids in a
JSON file beside the database (or in /tmp for PostgreSQL); `measure` times the review page and
`bare_review` alternately, with both the wall clock and the process's CPU time (the shared
machine's other work stretches the first, hardly the second), and prints the median ratio of
the pairs with their middle half. Run it from two checkouts in turn to compare code.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))


def info_path(url: str) -> Path:
    name = url.rstrip("/").rsplit("/", 1)[-1]
    return Path(f"/tmp/{name}.review-info.json")


def setup(url: str) -> None:
    from bench.run import bench_environment, prepare_database

    os.environ.update(bench_environment(url))
    prepare_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.data import SIZES, generate

    call_command("migrate", verbosity=0, interactive=False)
    info = generate(SIZES["large"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    info_path(url).write_text(json.dumps(info))
    print(json.dumps(info["counts"]))


def quartiles(values: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(values, n=4)
    return q[0], statistics.median(values), q[2]


def measure(url: str, pairs: int) -> None:
    from bench.run import bench_environment

    os.environ.update(bench_environment(url))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    info = json.loads(info_path(url).read_text())
    client = Client()
    client.force_login(get_user_model().objects.get(username=info["username"]))
    slug, pk = info["board_slug"], info["review_meeting_id"]
    page, floor = f"/boards/{slug}/meetings/{pk}/review/", f"/bench/floor/{slug}/review/{pk}/"
    out = {}
    for name, u in (("review", page), ("bare_review", floor)):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(u)
        assert response.status_code == 200, (u, response.status_code)
        out[name] = {"queries": len(ctx.captured_queries), "bytes": len(response.content)}
    for _ in range(3):  # warm both
        client.get(page), client.get(floor)
    wall, cpu = {"review": [], "bare_review": []}, {"review": [], "bare_review": []}
    for _ in range(pairs):
        for name, u in (("review", page), ("bare_review", floor)):
            w, c = time.perf_counter(), time.process_time()
            client.get(u)
            cpu[name].append((time.process_time() - c) * 1000)
            wall[name].append((time.perf_counter() - w) * 1000)
    for clock, t in (("wall", wall), ("cpu", cpu)):
        ratios = [a / b for a, b in zip(t["review"], t["bare_review"])]
        out[clock] = {
            "review_ms": round(statistics.median(t["review"]), 1),
            "bare_review_ms": round(statistics.median(t["bare_review"]), 1),
            "ratio": [round(x, 2) for x in quartiles(ratios)],
            "ratios": [round(x, 3) for x in ratios],
        }
    out["pairs"] = pairs
    out["load"] = os.getloadavg()
    print(json.dumps(out))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["setup", "measure"])
    parser.add_argument("url")
    parser.add_argument("--pairs", type=int, default=21)
    args = parser.parse_args()
    setup(args.url) if args.what == "setup" else measure(args.url, args.pairs)
