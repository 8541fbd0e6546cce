#!/usr/bin/env bash
# The GitHub Action's script (action.yml): review a pull request's scrape changes.
#
#  1. migrator diff --git BASE...HEAD PATHS (both sides from git, no checkout): what changes, job by job
#     (and on which targets, with an inventory);
#  2. migrator lint PATHS at HEAD: findings on the lines, or in the YAML documents (monitors), the pull request
#     changes become workflow annotations (all findings with MIGRATOR_SCOPE=all);
#  3. one markdown report, appended to $GITHUB_STEP_SUMMARY and written to MIGRATOR_REPORT (for a comment step);
#  4. exit 1 when a reported lint finding is at or above MIGRATOR_FAIL_ON (bug|warning|info|never), or when the
#     diff finds differences of a kind in MIGRATOR_DIFF_FAIL_ON (config,targets,labels; default never);
#     exit 2 when an input is unusable.
#
# Environment: MIGRATOR_PATHS (required, space-separated), MIGRATOR_BASE (default origin/$GITHUB_BASE_REF),
# MIGRATOR_HEAD (default HEAD), MIGRATOR_INVENTORY, MIGRATOR_PROMETHEUS, MIGRATOR_FAIL_ON (default bug),
# MIGRATOR_DIFF_FAIL_ON (default never), MIGRATOR_SCOPE (changed|all, default changed), MIGRATOR_REPORT
# (default migrator-report.md), MIGRATOR_PYTHON (default python3), MIGRATOR (default migrator).
# Outputs (to $GITHUB_OUTPUT when set): report, findings, lint-status, diff-status.
set -uo pipefail

migrator=${MIGRATOR:-migrator}
python=${MIGRATOR_PYTHON:-python3}
paths=${MIGRATOR_PATHS:?set MIGRATOR_PATHS (the monitors / scrape configs to review)}
head=${MIGRATOR_HEAD:-HEAD}
if [[ -n "${MIGRATOR_BASE:-}" ]]; then base=$MIGRATOR_BASE
elif [[ -n "${GITHUB_BASE_REF:-}" ]]; then base=origin/$GITHUB_BASE_REF
else echo "::error::set MIGRATOR_BASE (or run on a pull_request event)"; exit 2
fi
fail_on=${MIGRATOR_FAIL_ON:-bug}
diff_fail_on=${MIGRATOR_DIFF_FAIL_ON:-never}
scope=${MIGRATOR_SCOPE:-changed}
report=${MIGRATOR_REPORT:-migrator-report.md}
work=$(mktemp -d "${RUNNER_TEMP:-/tmp}/migrator-action.XXXXXX")
trap 'rm -rf "$work"' EXIT

read -r -a path_list <<<"$paths"
common=()
[[ -n "${MIGRATOR_INVENTORY:-}" ]] && common+=(--inventory "$MIGRATOR_INVENTORY")
[[ -n "${MIGRATOR_PROMETHEUS:-}" ]] && common+=(--prometheus "$MIGRATOR_PROMETHEUS")
status=0

# 1. diff
diff_args=(diff --git "$base...$head" "${path_list[@]}" --output markdown -o "$work/diff.md")
[[ -n "${MIGRATOR_INVENTORY:-}" ]] && diff_args+=(--inventory "$MIGRATOR_INVENTORY")
[[ -n "${MIGRATOR_PROMETHEUS:-}" ]] && diff_args+=(--prometheus "$MIGRATOR_PROMETHEUS")
[[ "$diff_fail_on" != never ]] && diff_args+=(--fail-on "$diff_fail_on")
"$migrator" "${diff_args[@]}" 2>"$work/diff.err"
diff_status=$?
case $diff_status in
  0|1) ;;
  *) { echo "### migrator diff"; echo; echo "Not compared:"; echo; echo '```'; cat "$work/diff.err"; echo '```'; } >"$work/diff.md"
     grep -q "exists at" "$work/diff.err" || status=2 ;;
esac
if [[ "$diff_fail_on" != never && $diff_status == 1 ]]; then status=$(( status > 1 ? status : 1 )); fi

# 2. lint (the working tree is HEAD in a pull request's checkout)
"$migrator" lint "${path_list[@]}" "${common[@]}" --output json --fail-on info -o "$work/lint.json" 2>"$work/lint.err"
lint_run=$?
if (( lint_run > 1 )); then
  cat "$work/lint.err" >&2
  echo "::error title=migrator lint::$(head -c 500 "$work/lint.err" | tr '\n' ' ')"
  echo '{"findings": []}' >"$work/lint.json"
  status=2
fi
git diff --no-color -U0 "$base...$head" -- "${path_list[@]}" >"$work/changes.diff" 2>/dev/null || : >"$work/changes.diff"

"$python" - "$work/lint.json" "$work/changes.diff" "$scope" "$fail_on" "$work" <<'PY'
import json, os, re, sys
from migrator.lint.model import RANK, LintFinding
from migrator.lint import report as R

lint_json, changes, scope, fail_on, work = sys.argv[1:6]
findings = [LintFinding(**{k: f[k] for k in ("rule", "severity", "file", "line", "message", "subject", "fix")})
            for f in json.load(open(lint_json))["findings"]]
changed, current = {}, None
for line in open(changes, encoding="utf-8", errors="replace"):
    if line.startswith("+++ "):
        current = line[6:].rstrip("\n") if line.startswith("+++ b/") else None
        changed.setdefault(current, set())
    elif line.startswith("@@") and current:
        m = re.match(r"@@ -\S+ \+(\d+)(?:,(\d+))? @@", line)
        start, count = int(m[1]), int(m[2] if m[2] is not None else 1)
        changed[current].update(range(start, start + max(count, 1)))
top = os.popen("git rev-parse --show-toplevel").read().strip()
def rel(path):
    p = os.path.relpath(os.path.abspath(path), top) if top else path
    return p.replace(os.sep, "/")
for f in findings:
    f.file = rel(f.file)
def documents(path):
    """[(first, last)] line ranges of the file's YAML documents."""
    try:
        lines = open(os.path.join(top, path), encoding="utf-8", errors="replace").read().splitlines()
    except OSError:
        return []
    out, start = [], 1
    for n, text in enumerate(lines, start=1):
        if text.startswith("---"):
            out.append((start, n - 1))
            start = n + 1
    return out + [(start, len(lines))]
def touched(f):
    """On a changed line, or in a YAML document (a monitor) the change touches."""
    lines = changed.get(f.file, set())
    if f.line in lines:
        return True
    return any(a <= f.line <= b and any(a <= n <= b for n in lines) for a, b in documents(f.file))
shown = findings if scope == "all" else [f for f in findings if touched(f)]
open(os.path.join(work, "annotations.txt"), "w").write(R.github(shown))
md = R.markdown(shown)
if len(shown) != len(findings):
    md += f"\n{len(findings) - len(shown)} more finding(s) on lines this change does not touch (`migrator lint` lists them).\n"
open(os.path.join(work, "lint.md"), "w").write(md)
failing = fail_on != "never" and any(RANK[f.severity] <= RANK[fail_on] for f in shown)
open(os.path.join(work, "lint.status"), "w").write(f"{1 if failing else 0} {len(shown)}\n")
PY
(( $? == 0 )) || status=2
cat "$work/annotations.txt" 2>/dev/null
read -r lint_status findings <"$work/lint.status" 2>/dev/null || { lint_status=0; findings=0; }
(( lint_status == 1 && status < 1 )) && status=1

# 3. the report
{
  echo "## migrator: scrape review of \`${paths}\` (${base}...${head})"
  echo
  cat "$work/lint.md"
  echo
  cat "$work/diff.md"
} >"$report"
[[ -n "${GITHUB_STEP_SUMMARY:-}" ]] && cat "$report" >>"$GITHUB_STEP_SUMMARY"
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  { echo "report=$report"; echo "findings=$findings"; echo "lint-status=$lint_status"; echo "diff-status=$diff_status"; } >>"$GITHUB_OUTPUT"
fi
echo "migrator: report in $report; $findings finding(s) reported; diff status $diff_status; exit $status"
exit $status
