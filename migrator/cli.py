"""The command line: one thin command per core function.

Conventions across migrator: ``--format`` is the document form, ``--output``
the presentation (text, json, markdown), ``-o/--out`` a destination. Exit
status 0 on success, 1 when a check finds differences or failures, 2 when the
input is unusable, 3 on an internal error (a bug). Errors are printed as
``file:line: field: message``; never a traceback (unless --debug, for a bug).
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from enum import Enum
from typing import Iterator, List, Optional

import typer

from migrator import __version__
from migrator.errors import ErrorList, ExitStatus, MigratorError

app = typer.Typer(
    name="migrator",
    help="Render, inspect and migrate Prometheus scrape setups on Kubernetes: "
         "prometheus-operator monitors (PodMonitor, ServiceMonitor) <-> raw scrape_configs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
generate_app = typer.Typer(
    help="Generate ready-made monitors (or their raw equivalent) for well-known software.",
    no_args_is_help=True,
)
app.add_typer(generate_app, name="generate")


class Output(str, Enum):
    text = "text"
    json = "json"


class DiffOutput(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class ScrapeFormat(str, Enum):
    list = "list"
    prometheus_yml = "prometheus-yml"
    secret = "secret"
    helm_values = "helm-values"


class PresetFormat(str, Enum):
    monitors = "monitors"
    list = "list"
    prometheus_yml = "prometheus-yml"
    secret = "secret"
    helm_values = "helm-values"


#: Set by the global --debug flag: an internal error also prints its traceback.
DEBUG = False


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """Turn every error into a message and an exit status, never a traceback.

    Unusable input (MigratorError, an input or output path the system refuses, input too
    large or too deeply nested for memory or the stack) exits 2; anything else is a bug:
    one line ``internal error: Type: message`` and exit 3 (the traceback only with --debug).
    """
    try:
        yield
    except ErrorList as errs:
        for err in errs.errors:
            typer.echo(f"error: {err}", err=True)
        typer.echo(f"{len(errs.errors)} error(s); nothing was written", err=True)
        raise typer.Exit(2)
    except MigratorError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(err.exit_code)
    except ExitStatus as status:
        raise typer.Exit(status.code)
    except BrokenPipeError:
        with contextlib.suppress(Exception):
            sys.stderr.close()
        raise typer.Exit(0)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(130)
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except OSError as err:  # a path the system refuses (not a directory, a FIFO, no space, ...)
        if DEBUG:
            traceback.print_exc()
        where = f"{err.filename}: " if err.filename else ""
        typer.echo(f"error: {where}{err.strerror or err}", err=True)
        raise typer.Exit(2)
    except (MemoryError, RecursionError) as err:  # what only huge or deeply nested input causes
        if DEBUG:
            traceback.print_exc()
        what = "out of memory" if isinstance(err, MemoryError) else "nested too deeply"
        typer.echo(f"error: the input is too large to process ({what})", err=True)
        raise typer.Exit(2)
    except Exception as err:  # noqa: BLE001 - anything else is a bug in migrator
        if DEBUG:
            traceback.print_exc()
        from migrator.redact import redact_value

        msg = redact_value(" ".join(str(err).split()))  # a bug's message may quote input: no URL userinfo
        if len(msg) > 300:
            msg = msg[:300] + "..."
        typer.echo(f"internal error: {type(err).__name__}: {msg}" if msg
                   else f"internal error: {type(err).__name__}", err=True)
        raise typer.Exit(3)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"migrator {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True,
                                 help="Print the version and exit."),
    debug: bool = typer.Option(False, "--debug",
                               help="On an internal error (exit status 3), also print the traceback."),
) -> None:
    global DEBUG
    DEBUG = debug


RENDER_EPILOG = """
[bold]Examples[/bold]

  [dim]# the raw equivalent of monitors, as the list the additionalScrapeConfigs Secret holds[/dim]
  migrator render samples/istio/monitors.yaml

  [dim]# exactly what prometheus-operator would generate under a given Prometheus CR[/dim]
  migrator render samples/istio/monitors.yaml --prometheus samples/istio/prometheus.yaml --operator-compatible

  [dim]# a full prometheus.yml for Prometheus 2.42, from monitors read on stdin[/dim]
  kubectl get podmonitors,servicemonitors -A -o yaml | migrator render - --format prometheus-yml --prometheus-version 2.42.0

  [dim]# a Secret manifest to apply, written to a file[/dim]
  migrator render monitors/ --format secret -o additional-scrape-configs.yaml
"""


@app.command(epilog=RENDER_EPILOG)
def render(
    files: List[str] = typer.Argument(..., metavar="FILE...",
                                      help="YAML/JSON files, directories (recursive) or '-' for stdin: "
                                           "PodMonitors, ServiceMonitors, and the Secrets/ConfigMaps "
                                           "and Prometheus CR they refer to."),
    prometheus: Optional[str] = typer.Option(None, "--prometheus", metavar="FILE",
                                             help="The Prometheus CR giving the context "
                                                  "(version, scrape classes, enforced limits, ...)."),
    operator_version: Optional[str] = typer.Option(None, "--operator-version", metavar="VERSION",
                                                   help="The prometheus-operator release that reads the monitors "
                                                        "(0.76.0 or v0.76.0): a field its CRDs lack is a warning. "
                                                        "Default: the Prometheus CR's kube-prometheus-stack chart, "
                                                        "else the newest shipped."),
    prometheus_version: Optional[str] = typer.Option(None, "--prometheus-version", metavar="VERSION",
                                                     help="Target Prometheus version, e.g. 2.42.0 "
                                                          "(default: the CR's spec.version, else v3.13.2)."),
    operator_compatible: bool = typer.Option(False, "--operator-compatible",
                                             help="Emit exactly what prometheus-operator generates: "
                                                  "$(SHARD) sharding rules, TLS files under "
                                                  "/etc/prometheus/certs, and credentials from Secrets "
                                                  "INLINED in the output (on stdout too), as the operator "
                                                  "writes them into its own Secret."),
    format: ScrapeFormat = typer.Option(ScrapeFormat.list, "--format", "-f",
                                        help="Document form: the bare list (additionalScrapeConfigs), a "
                                             "full prometheus.yml, a v1 Secret, or kube-prometheus-stack "
                                             "Helm values."),
    out: Optional[str] = typer.Option(None, "-o", "--out", metavar="FILE",
                                      help="Write the document to FILE instead of stdout."),
    force: bool = typer.Option(False, "--force",
                               help="Replace an existing --out file (a FILE.bak copy is kept)."),
    inline_secrets: bool = typer.Option(False, "--inline-secrets",
                                        help="Inline credentials from the Secret objects given as input "
                                             "(only with -o FILE, written with mode 0600)."),
    secrets_dir: str = typer.Option("/etc/prometheus/secrets", "--secrets-dir", metavar="DIR",
                                    help="Where the Secrets referenced by monitors are mounted "
                                         "(portable mode: credentials become DIR/<secret>/<key> files)."),
    shards: Optional[int] = typer.Option(None, "--shards", min=1, metavar="N",
                                         help="Portable mode: keep sharding rules for N shards "
                                              "(with --shard)."),
    shard: Optional[int] = typer.Option(None, "--shard", min=0, metavar="I",
                                        help="Portable mode: the shard index this Prometheus is (0..N-1)."),
    secret_name: str = typer.Option("additional-scrape-configs", "--secret-name",
                                    help="Name of the Secret for --format secret."),
    output: Output = typer.Option(Output.text, "--output",
                                  help="Presentation of the report: text (document on stdout, notes on "
                                       "stderr) or json (a report on stdout)."),
) -> None:
    """Render PodMonitors and ServiceMonitors as raw Prometheus scrape configuration.

    By default the output is [bold]portable[/bold]: the operator's jobs and relabel rules, minus what only works under the operator (no $(SHARD) rules, credentials as *_file paths under --secrets-dir, listed as Secrets to mount), so a plain Prometheus loads it as it is.
    """
    from migrator import commands

    with guarded():
        commands.render(
            files=files, prometheus=prometheus, prometheus_version=prometheus_version,
            operator_compatible=operator_compatible, form=format.value, out=out, force=force,
            inline_secrets=inline_secrets, secrets_dir=secrets_dir, shards=shards, shard=shard,
            secret_name=secret_name, output=output.value, operator_version=operator_version,
        )


MIGRATE_EPILOG = """
[bold]Examples[/bold]

  [dim]# monitors for every job of a prometheus.yml, proven on the sample cluster[/dim]
  migrator migrate samples/raw/istio-prometheus.yml --inventory samples/inventory/cluster.yaml

  [dim]# into a directory for kubectl apply -f, with a report for the PR, and the source without the migrated jobs[/dim]
  migrator migrate prometheus.yml -i inv.json -o monitors/ --report migration.md --rewrite-source rest.yml

  [dim]# jobs that select nothing on the inventory: proven on synthesized objects, shown for review[/dim]
  migrator migrate prometheus.yml -i inv.json --witnesses-out witnesses.yaml

  [dim]# an additionalScrapeConfigs Secret; credentials that were inline go to a 0600 file only[/dim]
  kubectl get secret -n monitoring additional-scrape-configs -o yaml | migrator migrate - --secrets-out creds.yaml

[bold]Exit status[/bold]: 0 all jobs migrated (and proven identical with an inventory), 1 a job failed, is invalid
for Prometheus (unless --allow-invalid-jobs), could not be proven or selects no target on the inventory (unless
--allow-unproven; --witnesses proves such a job on objects synthesized from its rules) or its migrated form
changes targets or labels (unless --allow-label-changes), 2 unusable input, 3 internal error (a bug).
"""


@app.command(epilog=MIGRATE_EPILOG)
def migrate(
    source: str = typer.Argument(..., metavar="SOURCE",
                                 help="prometheus.yml, a bare job list, a Secret or ConfigMap holding one, or "
                                      "kube-prometheus-stack Helm values; '-' for stdin."),
    inventory: Optional[List[str]] = typer.Option(None, "--inventory", "-i", metavar="FILE",
                                                  help="Cluster objects to prove the migration on (and to recover "
                                                       "label keys)."),
    cluster: bool = typer.Option(False, "--cluster", help="Read the objects from the live cluster (read-only)."),
    kubeconfig: Optional[str] = typer.Option(None, "--kubeconfig", metavar="FILE", help="With --cluster."),
    context: Optional[str] = typer.Option(None, "--context", help="Kubeconfig context, with --cluster."),
    namespace: str = typer.Option("monitoring", "--namespace", "-n", help="Namespace of the monitors."),
    label: List[str] = typer.Option([], "--label", "-l", metavar="K=V",
                                    help="Label for the Prometheus CR's monitor selector (repeatable; default "
                                         "release=kube-prometheus-stack)."),
    prometheus: Optional[str] = typer.Option(None, "--prometheus", metavar="FILE", help="The target Prometheus CR."),
    prometheus_version: Optional[str] = typer.Option(None, "--prometheus-version", metavar="VERSION",
                                                     help="Semantics and version gates (default: the CR's, else 3.x)."),
    key: Optional[str] = typer.Option(None, "--key", help="The Secret/ConfigMap key holding the scrape config."),
    keep_raw: bool = typer.Option(False, "--keep-raw",
                                  help="Keep jobs that would need a ScrapeConfig resource as raw config."),
    adopt_operator_labels: bool = typer.Option(False, "--adopt-operator-labels",
                                               help="Take the operator's label conventions (namespace, pod, job...) "
                                                    "instead of keeping every series identical; the report lists "
                                                    "each change."),
    allow_label_changes: bool = typer.Option(False, "--allow-label-changes",
                                             help="Exit 0 even when the proof finds label or target changes."),
    allow_invalid_jobs: bool = typer.Option(False, "--allow-invalid-jobs",
                                            help="Exit 0 even when a source job is one Prometheus refuses "
                                                 "(left as it is, not migrated)."),
    allow_unproven: bool = typer.Option(False, "--allow-unproven",
                                        help="Exit 0 even when a proof could not be made for a migrated job."),
    witnesses: bool = typer.Option(False, "--witnesses",
                                   help="For a job whose proof finds no target on the inventory, synthesize "
                                        "objects that exercise its rules and prove it on them."),
    witnesses_out: Optional[str] = typer.Option(None, "--witnesses-out", metavar="FILE",
                                                help="Write the synthesized witness objects to FILE (implies "
                                                     "--witnesses)."),
    operator_version: Optional[str] = typer.Option(None, "--operator-version", metavar="VERSION",
                                                   help="The prometheus-operator release the resources are for "
                                                        "(0.76.0 or v0.76.0): no field its CRDs lack is written. "
                                                        "Default: from --cluster's CRDs, the Prometheus CR's "
                                                        "kube-prometheus-stack chart, Helm values, else the newest "
                                                        "shipped."),
    out: Optional[str] = typer.Option(None, "-o", "--out", metavar="DIR",
                                      help="Write one file per resource into DIR instead of stdout."),
    force: bool = typer.Option(False, "--force", help="Replace existing output files (keeps FILE.bak)."),
    report: Optional[str] = typer.Option(None, "--report", metavar="FILE",
                                         help="Also write the report as FILE.json (stable schema) or FILE.md."),
    secrets_out: Optional[str] = typer.Option(None, "--secrets-out", metavar="FILE",
                                              help="Where the Secret manifests for inline credentials go (mode "
                                                   "0600); they are never printed."),
    rewrite_source: Optional[str] = typer.Option(None, "--rewrite-source", metavar="FILE",
                                                 help="Write the source without the migrated jobs to FILE, comments "
                                                      "and formatting kept."),
    in_place: bool = typer.Option(False, "--in-place",
                                  help="Rewrite SOURCE itself (after a .bak copy) without the migrated jobs."),
) -> None:
    """Migrate raw scrape jobs into PodMonitors, ServiceMonitors and ScrapeConfigs that produce the same series.

    One decision per job, with its reasons; by default the resources reproduce every original target label exactly, and with an inventory migrate proves it, job by job.
    """
    from migrator import commands_migrate

    with guarded():
        code = commands_migrate.migrate(
            source=source, inventory=inventory, cluster=cluster, kubeconfig=kubeconfig, context=context,
            namespace=namespace, labels=label, prometheus=prometheus, prometheus_version=prometheus_version,
            key=key, keep_raw=keep_raw, adopt_operator_labels=adopt_operator_labels,
            allow_label_changes=allow_label_changes, out=out, force=force, report=report,
            secrets_out=secrets_out, rewrite_source=rewrite_source, in_place=in_place,
            allow_invalid_jobs=allow_invalid_jobs, allow_unproven=allow_unproven, witnesses=witnesses,
            witnesses_out=witnesses_out, operator_version=operator_version)
    raise typer.Exit(code)


DIFF_EPILOG = """
[bold]Examples[/bold]

  [dim]# what moving from the raw Istio jobs to the Istio monitors changes, on the sample cluster[/dim]
  migrator diff samples/raw/istio-prometheus.yml samples/istio/monitors.yaml -i samples/inventory/cluster.yaml

  [dim]# pair jobs yourself, and compare targets only (the equivalence check)[/dim]
  migrator diff old.yml monitors/ -i inv.json --map envoy-stats=podMonitor/monitoring/istio-envoy-pod-monitor/0 --targets-only

  [dim]# after migrate: pair by its report; a PR comment[/dim]
  migrator diff prometheus.yml monitors/ -i inv.json --mapping migration.json --output markdown -o diff.md

  [dim]# what a rollout changes against what runs now (read-only)[/dim]
  migrator diff --from-cluster --prometheus monitoring/k8s new-monitors/ --cluster

  [dim]# a pull request: the same paths at its base and head, read from git without a checkout[/dim]
  migrator diff --git origin/main...HEAD monitoring/ --output markdown -o diff.md

[bold]Exit status[/bold] (like diff and kubectl diff): 0 no differences, 1 differences, 2 error,
3 internal error (a bug).
"""


@app.command(epilog=DIFF_EPILOG)
def diff(
    paths: List[str] = typer.Argument(..., metavar="OLD NEW",
                                      help="Two setups: raw config in any shape, monitors, directories or '-'. "
                                           "With --from-cluster, NEW only; with --git, the PATHS to compare."),
    inventory: Optional[List[str]] = typer.Option(None, "--inventory", "-i", metavar="FILE",
                                                  help="Cluster objects: also compare the targets and labels."),
    cluster: bool = typer.Option(False, "--cluster", help="Read the objects from the live cluster (read-only)."),
    kubeconfig: Optional[str] = typer.Option(None, "--kubeconfig", metavar="FILE", help="With --cluster."),
    context: Optional[str] = typer.Option(None, "--context", help="Kubeconfig context."),
    prometheus: Optional[str] = typer.Option(None, "--prometheus", metavar="FILE|NAME",
                                             help="Prometheus CR (a file; with --from-cluster its [NS/]NAME)."),
    prometheus_version: Optional[str] = typer.Option(None, "--prometheus-version", metavar="VERSION",
                                                     help="Semantics of this Prometheus version."),
    operator_compatible: bool = typer.Option(False, "--operator-compatible",
                                             help="Render monitors exactly as the operator does."),
    mapping: Optional[str] = typer.Option(None, "--mapping", metavar="REPORT.json",
                                          help="Pair OLD jobs with NEW ones by a migrate report."),
    maps: Optional[List[str]] = typer.Option(None, "--map", metavar="OLD_JOB=NEW_JOB",
                                             help="Pair two jobs explicitly (repeatable)."),
    targets_only: bool = typer.Option(False, "--targets-only", help="Compare targets and labels alone."),
    fail_on: Optional[List[str]] = typer.Option(None, "--fail-on", metavar="config|targets|labels",
                                                help="Which differences make the exit status 1 (default: all)."),
    from_cluster: bool = typer.Option(False, "--from-cluster",
                                      help="OLD is what runs now: the CR's additionalScrapeConfigs and the "
                                           "monitors it selects."),
    key: Optional[str] = typer.Option(None, "--key", help="The Secret/ConfigMap key holding the scrape config."),
    own_namespace: Optional[str] = typer.Option(None, "--own-namespace", metavar="NS",
                                                help="What namespaces.own_namespace means."),
    output: DiffOutput = typer.Option(DiffOutput.text, "--output", help="text, json or markdown."),
    out: Optional[str] = typer.Option(None, "-o", "--out", metavar="FILE", help="Write to FILE."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out file (keeps FILE.bak)."),
    git: Optional[str] = typer.Option(None, "--git", metavar="BASE..HEAD",
                                      help="Read both sides from git without a checkout: the arguments are PATHS "
                                           "(files, directories) at BASE and at HEAD (BASE...HEAD: from their "
                                           "merge base; BASE alone: against the working tree)."),
) -> None:
    """Review a scrape change: what changes in meaning, job by job (config), and on which targets and labels (with an inventory). Secrets are always redacted."""
    from migrator.diff import run_diff
    from migrator.errors import InputError

    with guarded():
        if git:
            from migrator.diff import git as git_diff

            if from_cluster:
                raise InputError("give --git or --from-cluster, not both", field="--git")
            code = git_diff.run(git, paths, inventory=inventory, cluster=cluster, kubeconfig=kubeconfig,
                                context=context, prometheus=prometheus, prometheus_version=prometheus_version,
                                operator_compatible=operator_compatible, mapping=mapping, maps=maps,
                                targets_only=targets_only, fail_on=fail_on, output=output.value, out=out,
                                force=force, key=key, own_namespace=own_namespace)
            raise typer.Exit(code)
        if from_cluster:
            if len(paths) != 1:
                raise InputError("with --from-cluster give NEW only")
            old, new = [], paths
        elif len(paths) == 2:
            old, new = [paths[0]], [paths[1]]
        else:
            raise InputError("give OLD and NEW (or --from-cluster NEW)")
        code = run_diff(old, new, inventory=inventory, cluster=cluster, kubeconfig=kubeconfig, context=context,
                        prometheus=prometheus, prometheus_version=prometheus_version,
                        operator_compatible=operator_compatible, mapping=mapping, maps=maps,
                        targets_only=targets_only, fail_on=fail_on, output=output.value, out=out, force=force,
                        from_cluster=from_cluster, key=key, own_namespace=own_namespace)
    raise typer.Exit(code)


VALIDATE_EPILOG = """
[bold]Examples[/bold]

  migrator validate samples/istio/monitors.yaml
  kubectl get podmonitors,servicemonitors -A -o yaml | migrator validate - --prometheus-version 2.42.0
"""


@app.command(epilog=VALIDATE_EPILOG)
def validate(
    files: List[str] = typer.Argument(..., metavar="FILE...", help="YAML/JSON files, directories or '-'."),
    prometheus_version: Optional[str] = typer.Option(None, "--prometheus-version", metavar="VERSION",
                                                     help="Check relabel rules and regexes for this "
                                                          "Prometheus version (default v3.13.2)."),
    strict_names: bool = typer.Option(False, "--strict-names",
                                      help="Also require RFC 1123 object names, as the API server does."),
    output: Output = typer.Option(Output.text, "--output", help="text or json."),
) -> None:
    """Check monitors (PodMonitor, ServiceMonitor, ScrapeConfig, Probe) strictly against the operator's schemas and Prometheus's rules. Exit 0 when all are valid, 2 otherwise; every error names file, line and field.
    """
    from migrator import commands

    with guarded():
        commands.validate(files=files, prometheus_version=prometheus_version, strict_names=strict_names,
                          output=output.value)


TARGETS_EPILOG = """
[bold]Examples[/bold]

  [dim]# what the Istio monitors scrape on the sample cluster[/dim]
  migrator targets samples/istio/monitors.yaml --inventory samples/inventory/cluster.yaml

  [dim]# a raw prometheus.yml against a live cluster (read-only list calls)[/dim]
  migrator targets prometheus.yml --cluster --context prod

  [dim]# for scripts: every discovered target, kept or dropped, as JSON[/dim]
  kubectl get pods,services,endpoints,endpointslices,nodes,namespaces,ingresses -A -o json > inv.json
  migrator targets samples/raw/istio-prometheus.yml --inventory inv.json --output json -o targets.json

  [dim]# why is this pod (not) scraped? every relabel step[/dim]
  migrator targets samples/raw/istio-prometheus.yml --inventory samples/inventory/cluster.yaml --explain frontend-v1-7f9c6d8b5-t8x2n

[bold]Exit status[/bold]: 0 every job evaluated, 1 some job could not be (each reported), 2 unusable input,
3 internal error (a bug).
"""


@app.command(epilog=TARGETS_EPILOG)
def targets(
    configs: List[str] = typer.Argument(..., metavar="CONFIG...",
                                        help="Raw scrape config in any shape (prometheus.yml, a bare list, an "
                                             "additionalScrapeConfigs Secret, a ConfigMap, Helm values) or "
                                             "monitors; files, directories or '-'."),
    inventory: Optional[List[str]] = typer.Option(None, "--inventory", "-i", metavar="FILE",
                                                  help="Cluster objects: kubectl get ... -A -o json|yaml output "
                                                       "(repeatable, '-' for stdin). JSON loads much faster."),
    cluster: bool = typer.Option(False, "--cluster", help="Read the objects from the live cluster (read-only)."),
    kubeconfig: Optional[str] = typer.Option(None, "--kubeconfig", metavar="FILE", help="With --cluster."),
    context: Optional[str] = typer.Option(None, "--context", help="Kubeconfig context, with --cluster."),
    prometheus: Optional[str] = typer.Option(None, "--prometheus", metavar="FILE",
                                             help="Prometheus CR: context for monitors, its version and namespace."),
    prometheus_version: Optional[str] = typer.Option(None, "--prometheus-version", metavar="VERSION",
                                                     help="Semantics of this Prometheus version (default: the "
                                                          "CR's, else 3.x)."),
    own_namespace: Optional[str] = typer.Option(None, "--own-namespace", metavar="NS",
                                                help="What namespaces.own_namespace means (default: the CR's "
                                                     "namespace, else 'default')."),
    key: Optional[str] = typer.Option(None, "--key", help="The Secret/ConfigMap key holding the scrape config."),
    explain: Optional[str] = typer.Option(None, "--explain", metavar="TARGET",
                                          help="Show every relabel step for a target: an address, an instance, "
                                               "or a pod/node/service name."),
    show_dropped: bool = typer.Option(False, "--show-dropped", help="Also list dropped targets and why."),
    output: Output = typer.Option(Output.text, "--output", help="text (a table per job) or json."),
    out: Optional[str] = typer.Option(None, "-o", "--out", metavar="FILE", help="Write to FILE."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out file (keeps FILE.bak)."),
) -> None:
    """What a scrape setup scrapes: Kubernetes discovery over a cluster inventory, then Prometheus's own relabeling, job by job — kept targets with their final labels, dropped ones with the rule that dropped them.
    """
    from migrator import commands

    with guarded():
        code = commands.targets(configs=configs, inventory=inventory, cluster=cluster, kubeconfig=kubeconfig,
                                context=context, prometheus=prometheus, prometheus_version=prometheus_version,
                                own_namespace=own_namespace, key=key, output=output.value, explain=explain,
                                out=out, force=force, show_dropped=show_dropped)
    raise typer.Exit(code)


WHY_EPILOG = """
[bold]Examples[/bold]

  [dim]# every monitor: the funnel from "exists" to "scraped", and what to change[/dim]
  migrator why samples/istio/monitors.yaml --inventory samples/inventory/cluster.yaml --prometheus samples/istio/prometheus.yaml

  [dim]# one monitor of a broken setup (names are the arguments that are no file)[/dim]
  migrator why istiod-service-monitor samples/why/broken-monitors.yaml -i samples/inventory/cluster.yaml --prometheus samples/istio/prometheus.yaml

  [dim]# what is applied, against the live cluster (read-only), as a PR comment[/dim]
  kubectl get servicemonitors,podmonitors,prometheuses -A -o yaml | migrator why - --cluster --output markdown -o why.md

[bold]Exit status[/bold]: 0 every monitor/job asked for scrapes something, 1 some scrape nothing, 2 unusable input,
3 internal error (a bug).
"""


@app.command(epilog=WHY_EPILOG)
def why(
    args: List[str] = typer.Argument(..., metavar="[NAME...] INPUT...",
                                     help="Monitors, raw scrape configs (any shape) and Prometheus CRs: files, "
                                          "directories or '-'. Arguments that are no file are names of monitors "
                                          "([KIND/][NS/]NAME) or jobs to check (default: all)."),
    inventory: Optional[List[str]] = typer.Option(None, "--inventory", "-i", metavar="FILE",
                                                  help="Cluster objects: kubectl get pods,services,endpoints,"
                                                       "endpointslices,nodes,namespaces -A -o json|yaml."),
    cluster: bool = typer.Option(False, "--cluster", help="Read the objects from the live cluster (read-only)."),
    kubeconfig: Optional[str] = typer.Option(None, "--kubeconfig", metavar="FILE", help="With --cluster."),
    context: Optional[str] = typer.Option(None, "--context", help="Kubeconfig context, with --cluster."),
    prometheus: Optional[List[str]] = typer.Option(None, "--prometheus", metavar="FILE",
                                                   help="Prometheus CR(s) whose selectors pick monitors up "
                                                        "(repeatable; none: kube-prometheus-stack's defaults)."),
    prometheus_version: Optional[str] = typer.Option(None, "--prometheus-version", metavar="VERSION",
                                                     help="Semantics of this Prometheus version."),
    own_namespace: Optional[str] = typer.Option(None, "--own-namespace", metavar="NS",
                                                help="What namespaces.own_namespace means for raw jobs."),
    key: Optional[str] = typer.Option(None, "--key", help="The Secret/ConfigMap key holding the scrape config."),
    output: DiffOutput = typer.Option(DiffOutput.text, "--output", help="text, json or markdown."),
    out: Optional[str] = typer.Option(None, "-o", "--out", metavar="FILE", help="Write to FILE."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out file (keeps FILE.bak)."),
) -> None:
    """Why does a monitor (or raw job) scrape nothing? For each: the funnel from "exists" to "scraped" (picked up by a Prometheus CR, namespaces, selector, endpoints, port, pod phase, relabelings) with the count after each stage, then findings with the change that fixes them.
    """
    from migrator.why.command import run

    with guarded():
        code = run(args=args, inventory=inventory, cluster=cluster, kubeconfig=kubeconfig, context=context,
                   prometheus=prometheus, prometheus_version=prometheus_version, own_namespace=own_namespace,
                   key=key, output=output.value, out=out, force=force)
    raise typer.Exit(code)


class LintOutput(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"
    github = "github"


class Severity(str, Enum):
    bug = "bug"
    warning = "warning"
    info = "info"


LINT_EPILOG = """
[bold]Examples[/bold]

  [dim]# the rules, and one rule's documentation with its failing and passing example[/dim]
  migrator lint --list-rules
  migrator lint --explain monitor/release-label

  [dim]# static rules over a directory of monitors and scrape configs, against the CR that should pick them up[/dim]
  migrator lint deploy/monitoring/ --prometheus samples/istio/prometheus.yaml

  [dim]# every rule, on the sample cluster (the broken sample fails)[/dim]
  migrator lint samples/why/broken-monitors.yaml -i samples/inventory/cluster.yaml --prometheus samples/istio/prometheus.yaml

  [dim]# in CI: annotations on the pull request, fail on warnings too; SARIF for code scanning[/dim]
  migrator lint monitors/ --output github --fail-on warning
  migrator lint monitors/ --output sarif -o migrator.sarif

Configuration: .migrator.yaml, found upward from the working directory (lint.disable, lint.severity,
lint.fail-on, prometheus, inventory); a comment [bold]# migrator: disable=RULE[/bold] silences a rule on its line and the
next (at the top of a YAML document: for the document; disable-file=RULE: for the file).

[bold]Exit status[/bold]: 0 no finding at or above --fail-on, 1 some, 2 unusable input, 3 internal error (a bug).
"""


@app.command(epilog=LINT_EPILOG)
def lint(
    inputs: Optional[List[str]] = typer.Argument(None, metavar="INPUT...",
                                                 help="Monitors, raw scrape configs (any shape) and Prometheus CRs: "
                                                      "files, directories or '-'."),
    list_rules: bool = typer.Option(False, "--list-rules", help="List the rules (id, severity, summary) and exit."),
    explain: Optional[str] = typer.Option(None, "--explain", metavar="RULE",
                                          help="Print a rule's documentation and examples and exit."),
    inventory: Optional[List[str]] = typer.Option(None, "--inventory", "-i", metavar="FILE",
                                                  help="Cluster objects, for the rules that need targets."),
    cluster: bool = typer.Option(False, "--cluster", help="Read the objects from the live cluster (read-only)."),
    kubeconfig: Optional[str] = typer.Option(None, "--kubeconfig", metavar="FILE", help="With --cluster."),
    context: Optional[str] = typer.Option(None, "--context", help="Kubeconfig context, with --cluster."),
    prometheus: Optional[List[str]] = typer.Option(None, "--prometheus", metavar="FILE",
                                                   help="Prometheus CR(s) that should pick the monitors up "
                                                        "(none: kube-prometheus-stack's defaults)."),
    prometheus_version: Optional[str] = typer.Option(None, "--prometheus-version", metavar="VERSION",
                                                     help="Semantics of this Prometheus version."),
    own_namespace: Optional[str] = typer.Option(None, "--own-namespace", metavar="NS",
                                                help="What namespaces.own_namespace means for raw jobs."),
    key: Optional[str] = typer.Option(None, "--key", help="The Secret/ConfigMap key holding the scrape config."),
    config: Optional[str] = typer.Option(None, "--config", metavar="FILE",
                                         help="The configuration file (default: .migrator.yaml found upward)."),
    no_config: bool = typer.Option(False, "--no-config", help="Read no .migrator.yaml."),
    disable: List[str] = typer.Option([], "--disable", metavar="RULE", help="Do not run RULE (repeatable)."),
    fail_on: Optional[Severity] = typer.Option(None, "--fail-on",
                                               help="Exit 1 when a finding at or above this severity is reported "
                                                    "(default: bug, or lint.fail-on of .migrator.yaml)."),
    output: LintOutput = typer.Option(LintOutput.text, "--output",
                                      help="text (file:line), json, markdown, sarif (2.1.0) or github "
                                           "(workflow annotations)."),
    out: Optional[str] = typer.Option(None, "-o", "--out", metavar="FILE", help="Write to FILE."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out file (keeps FILE.bak)."),
) -> None:
    """Check monitors and scrape configs against documented rules (release label the CR does not select, ports, relabelings that drop everything or undo each other, ...): each finding has a rule id, a severity (bug, warning, info) and a file:line.
    """
    from migrator.lint import command as lint_command
    from migrator.writers import write_output

    with guarded():
        if list_rules or explain:
            text = lint_command.list_rules(output.value) if list_rules else \
                lint_command.explain(explain, output.value)
            write_output(text, out, force=force)
            raise typer.Exit(0)
        code = lint_command.run(
            inputs=list(inputs or []), inventory=inventory, cluster=cluster, kubeconfig=kubeconfig,
            context=context, prometheus=prometheus, prometheus_version=prometheus_version,
            own_namespace=own_namespace, key=key, config=config, no_config=no_config, disable=disable,
            fail_on=fail_on.value if fail_on else None, output=output.value, out=out, force=force)
    raise typer.Exit(code)


GENERATE_EPILOG = """
[bold]Examples[/bold]

  [dim]# the three monitors of the standard Istio + kube-prometheus-stack setup[/dim]
  migrator generate istio

  [dim]# their raw equivalent, for a Prometheus without the operator[/dim]
  migrator generate istio --format prometheus-yml

  [dim]# only the sidecars, for another Helm release, into a file[/dim]
  migrator generate istio --only sidecars --release prom -o istio-monitors.yaml
"""


@generate_app.command("istio", epilog=GENERATE_EPILOG)
def generate_istio(
    namespace: str = typer.Option("monitoring", "--namespace", "-n", help="Namespace of the monitors."),
    release: Optional[str] = typer.Option(None, "--release",
                                          help="Value of the 'release' label that kube-prometheus-stack's "
                                               "Prometheus selects (default kube-prometheus-stack)."),
    label: List[str] = typer.Option([], "--label", "-l", metavar="K=V",
                                    help="Label to put on every monitor (repeatable; replaces the default "
                                         "release label)."),
    istio_namespace: str = typer.Option("istio-system", "--istio-namespace",
                                        help="Namespace of istiod and the gateways."),
    interval: str = typer.Option("15s", "--interval", help="Scrape interval."),
    only: Optional[str] = typer.Option(None, "--only", metavar="LIST",
                                       help="Comma-separated subset of: sidecars, istiod, gateways."),
    no_egress: bool = typer.Option(False, "--no-egress", help="Leave the egress gateway out."),
    with_mesh_config: bool = typer.Option(False, "--with-mesh-config",
                                          help="Also print the IstioOperator fragment that turns on "
                                               "Istio's standard metrics."),
    format: PresetFormat = typer.Option(PresetFormat.monitors, "--format", "-f",
                                        help="monitors (the CRs), or a raw form of the same jobs."),
    prometheus: Optional[str] = typer.Option(None, "--prometheus", metavar="FILE",
                                             help="Prometheus CR context for the raw forms."),
    prometheus_version: Optional[str] = typer.Option(None, "--prometheus-version", metavar="VERSION",
                                                     help="Target Prometheus version for the raw forms."),
    out: Optional[str] = typer.Option(None, "-o", "--out", metavar="FILE", help="Write to FILE."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out file (keeps FILE.bak)."),
) -> None:
    """The Istio monitors: Envoy sidecars (PodMonitor), istiod (ServiceMonitor), gateways (PodMonitor).
    """
    from migrator import commands

    with guarded():
        commands.generate_istio(
            namespace=namespace, release=release, labels=label, istio_namespace=istio_namespace,
            interval=interval, only=only, no_egress=no_egress, with_mesh_config=with_mesh_config,
            form=format.value, prometheus=prometheus, prometheus_version=prometheus_version,
            out=out, force=force,
        )


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
