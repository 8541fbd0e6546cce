#!/usr/bin/env python3
"""Fuzz the migrator CLI: `python tools/fuzz.py --cases N --seed S`.

Runs N cases (structure-aware mutations of samples/, tests/fixtures/ and
../shared/oracle when present, secrets planted in every credential field)
through every command in-process, prints the cases run and the failures
found, and writes a minimized reproducer per distinct failure into --out.
Exit status 0 when no case failed, 1 otherwise. The same (seed, case) always
gives the same input: `--seed S --only K` reruns case K alone.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fuzz.cases import COMMANDS, make_case  # noqa: E402
from tests.fuzz.minimize import minimize, write_reproducer  # noqa: E402
from tests.fuzz.runner import run_case  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=500, help="number of cases (default 500)")
    ap.add_argument("--seed", type=int, default=8, help="seed of the run (default 8)")
    ap.add_argument("--start", type=int, default=0, help="index of the first case")
    ap.add_argument("--only", type=int, help="run this one case index, verbosely")
    ap.add_argument("--command", choices=[c for c, _ in COMMANDS], help="only cases of this command")
    ap.add_argument("--mutation", help="force one tree mutation (a function of tests/fuzz/mutate.py, e.g. m_numbers)")
    ap.add_argument("--out", default="fuzz-failures", help="directory for reproducers (default ./fuzz-failures)")
    ap.add_argument("--no-minimize", action="store_true", help="write reproducers as found, unshrunk")
    ap.add_argument("--timeout", type=float, default=20, help="seconds per case before it counts as a hang")
    ap.add_argument("--seconds", type=float, help="stop after this many seconds")
    ap.add_argument("-q", "--quiet", action="store_true", help="only the summary")
    ap.add_argument("--serve", metavar="CLUSTER.json",
                    help="serve a reproducer's cluster objects on a fake API server (writes ./kubeconfig)")
    args = ap.parse_args(argv)
    if args.serve:
        return serve(args.serve)

    indices = [args.only] if args.only is not None else range(args.start, args.start + args.cases)
    out_dir = Path(args.out)
    seen: dict[str, tuple[int, Path | None]] = {}
    failed_cases = 0
    run = 0
    start = time.monotonic()
    for index in indices:
        if args.seconds and time.monotonic() - start > args.seconds:
            break
        case = make_case(args.seed, index, command=args.command, mutation=args.mutation)
        outcome = run_case(case, timeout=args.timeout)
        run += 1
        if args.only is not None:
            print(outcome.report())
            print("--- stdout\n" + outcome.stdout[-3000:] + "\n--- stderr\n" + outcome.stderr[-3000:])
        if not outcome.problems:
            continue
        failed_cases += 1
        for problem in outcome.problems:
            sig = problem.signature
            if sig in seen:
                seen[sig] = (seen[sig][0] + 1, seen[sig][1])
                continue
            if args.no_minimize:
                groups, files, stdin = list(range(len(case.args))), case.files, case.stdin
            else:
                groups, files, stdin = minimize(case, problem, timeout=args.timeout)
            path = write_reproducer(out_dir, case, outcome, problem, groups, files, stdin)
            seen[sig] = (1, path)
            if not args.quiet:
                print(f"FAIL {sig}\n  {problem.detail[:300]}\n  case: {case.describe()[:400]}\n"
                      f"  reproducer: {path}/cmd.sh", flush=True)
    elapsed = time.monotonic() - start
    print(f"\n{run} case(s) run (seed {args.seed}) in {elapsed:.1f}s; {failed_cases} failed; "
          f"{len(seen)} distinct failure(s)")
    for sig, (count, path) in sorted(seen.items(), key=lambda kv: -kv[1][0]):
        print(f"  {count:4d}x {sig}  -> {path}")
    return 1 if seen else 0


def serve(path: str) -> int:
    import json

    from tests.fake_kube import FakeKube

    with open(path, encoding="utf-8") as f:
        objects = json.load(f)
    with FakeKube(objects) as api:
        print(f"serving {len(objects)} object(s) at {api.url}; kubeconfig: {api.kubeconfig('.')}; Ctrl-C to stop",
              flush=True)
        try:
            api.thread.join()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
