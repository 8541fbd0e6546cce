"""`migrator targets --cluster` against the tests' fake API server holding a generated inventory: wall, CPU and
peak RSS of the command (the server runs in this process, so its memory is not counted).

    python benchmarks/bench_cluster.py [--pods 50000] [--keep DIR]

Uses the config of bench_targets.py (the community chart's jobs + the 3 Istio jobs) and gen_inventory.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, default=50_000)
    ap.add_argument("--keep", metavar="DIR")
    args = ap.parse_args(argv)
    from bench_targets import build_config, run_measured
    from fake_kube import FakeKube
    from gen_inventory import default_namespaces, make_inventory

    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-cluster-"))
    work.mkdir(parents=True, exist_ok=True)
    config = work / "prometheus.yml"
    build_config(config)
    doc = make_inventory(args.pods, n_namespaces=default_namespaces(args.pods))
    items = doc["items"]
    for o in items:  # what the API server stores: apiVersion per kind
        o.setdefault("apiVersion", "v1")
    print(f"bench_cluster: {args.pods:,} pods, {len(items):,} objects served by the fake API server")
    with FakeKube(items, page_size=500) as kube:
        kubeconfig = kube.kubeconfig(work)
        out = work / "targets.json"
        exe = Path(sys.executable).parent / "migrator"
        run = run_measured([str(exe), "targets", str(config), "--cluster", "--kubeconfig", kubeconfig,
                            "--output", "json", "-o", str(out), "--force"])
    print(f"  migrator targets --cluster: exit {run.code}, wall {run.wall:.2f} s, CPU {run.cpu:.2f} s, "
          f"peak {run.rss_mb:.0f} MB (goal < 3,000 MB): {'PASS' if run.rss_mb < 3000 else 'MISS'}")
    if run.code not in (0, 1):
        print(run.stderr[-2000:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
