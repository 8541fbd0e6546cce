"""Reading raw scrape configuration in every shape users keep it in.

Shapes: a prometheus.yml (``scrape_configs``), a bare list of jobs (what the
operator's ``additionalScrapeConfigs`` Secret key holds), a v1 Secret or
ConfigMap holding either, and Helm values (kube-prometheus-stack
``prometheus.prometheusSpec.additionalScrapeConfigs``, the community chart's
``serverFiles."prometheus.yml"`` and ``extraScrapeConfigs``).

Fields are read as Prometheus reads them: a string field takes the scalar's
literal text (``regex: 010`` is "010", ``regex: yes`` is "yes"), durations
are parsed as Prometheus parses them, unknown fields are errors with file and
line. Templating placeholders (``$$NODE_IP$$``, ``${NAMESPACE}``,
``{{ .Release.Namespace }}``) are kept literally and reported; constructs of
another dialect (VictoriaMetrics) make that job fail, not the others.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from migrator.errors import ErrorList, InputError
from migrator.relabel.duration import parse_duration
from migrator.sources import Document, dotted, parse_documents

# ---------------------------------------------------------------------------
# The schema: what Prometheus accepts in a scrape_config (3.x; 2.x differences noted)

STR, BOOL, INT, FLOAT, DUR, SIZE = "str", "bool", "int", "float", "duration", "size"
STRLIST, STRMAP, PARAMS, HEADERS = "strlist", "strmap", "params", "headers"

TLS = {
    "ca": STR, "ca_file": STR, "ca_ref": STR, "cert": STR, "cert_file": STR, "cert_ref": STR,
    "key": STR, "key_file": STR, "key_ref": STR, "server_name": STR, "insecure_skip_verify": BOOL,
    "min_version": STR, "max_version": STR,
}
PROXY = {"proxy_url": STR, "no_proxy": STR, "proxy_from_environment": BOOL, "proxy_connect_header": HEADERS}
OAUTH2 = {
    "client_id": STR, "client_id_file": STR, "client_id_ref": STR, "client_secret": STR,
    "client_secret_file": STR, "client_secret_ref": STR, "client_certificate_key": STR,
    "client_certificate_key_file": STR, "client_certificate_key_id": STR,
    "client_certificate_key_ref": STR, "grant_type": STR, "signature_algorithm": STR, "iss": STR,
    "audience": STR, "claims": "any", "scopes": STRLIST, "token_url": STR, "endpoint_params": STRMAP,
    "tls_config": TLS, **PROXY,
}
HTTP_CLIENT = {
    "basic_auth": {"username": STR, "username_file": STR, "username_ref": STR, "password": STR,
                   "password_file": STR, "password_ref": STR},
    "authorization": {"type": STR, "credentials": STR, "credentials_file": STR, "credentials_ref": STR},
    "oauth2": OAUTH2,
    "bearer_token": STR,
    "bearer_token_file": STR,
    "tls_config": TLS,
    "follow_redirects": BOOL,
    "enable_http2": BOOL,
    "http_headers": "any",
    **PROXY,
}
RELABEL = {
    "source_labels": STRLIST, "separator": STR, "regex": STR, "modulus": INT, "target_label": STR,
    "replacement": STR, "action": STR,
}
KUBERNETES_SD = {
    "role": STR, "api_server": STR, "kubeconfig_file": STR,
    "namespaces": {"own_namespace": BOOL, "names": STRLIST},
    "selectors": [{"role": STR, "label": STR, "field": STR}],
    "attach_metadata": {"node": BOOL, "namespace": BOOL, "deployment": BOOL, "job": BOOL, "cronjob": BOOL},
    **HTTP_CLIENT,
}
STATIC = {"targets": STRLIST, "labels": STRMAP}
FILE_SD = {"files": STRLIST, "refresh_interval": DUR}

#: Service discoveries Prometheus knows but migrator does not evaluate.
OTHER_SD = (
    "azure_sd_configs", "consul_sd_configs", "digitalocean_sd_configs", "docker_sd_configs",
    "dockerswarm_sd_configs", "dns_sd_configs", "ec2_sd_configs", "eureka_sd_configs", "gce_sd_configs",
    "hetzner_sd_configs", "http_sd_configs", "ionos_sd_configs", "kuma_sd_configs", "lightsail_sd_configs",
    "linode_sd_configs", "marathon_sd_configs", "nerve_sd_configs", "nomad_sd_configs",
    "openstack_sd_configs", "ovhcloud_sd_configs", "puppetdb_sd_configs", "scaleway_sd_configs",
    "serverset_sd_configs", "stackit_sd_configs", "triton_sd_configs", "uyuni_sd_configs",
    "vultr_sd_configs",
)

SCRAPE_CONFIG: dict[str, Any] = {
    "job_name": STR, "honor_labels": BOOL, "honor_timestamps": BOOL, "track_timestamps_staleness": BOOL,
    "params": PARAMS, "scrape_interval": DUR, "scrape_timeout": DUR, "scrape_protocols": STRLIST,
    "fallback_scrape_protocol": STR, "scrape_native_histograms": BOOL,
    "always_scrape_classic_histograms": BOOL, "scrape_classic_histograms": BOOL,
    "convert_classic_histograms_to_nhcb": BOOL, "scrape_failure_log_file": STR, "metrics_path": STR,
    "scheme": STR, "enable_compression": BOOL, "body_size_limit": SIZE, "sample_limit": INT,
    "target_limit": INT, "label_limit": INT, "label_name_length_limit": INT,
    "label_value_length_limit": INT, "native_histogram_bucket_limit": INT,
    "native_histogram_min_bucket_factor": FLOAT, "keep_dropped_targets": INT,
    "metric_name_validation_scheme": STR, "metric_name_escaping_scheme": STR,
    "extra_scrape_metrics": BOOL,
    "relabel_configs": [RELABEL], "metric_relabel_configs": [RELABEL],
    "static_configs": [STATIC], "file_sd_configs": [FILE_SD], "kubernetes_sd_configs": [KUBERNETES_SD],
    **{name: "any" for name in OTHER_SD},
    **HTTP_CLIENT,
}

#: Constructs of VictoriaMetrics' vmagent dialect, which Prometheus rejects.
VM_RELABEL_ACTIONS = {"keep_if_equal", "drop_if_equal", "keep_if_contains", "drop_if_contains",
                      "keep_metrics", "drop_metrics", "graphite", "replace_all", "labelmap_all"}
VM_FIELDS = {"if", "match", "labels", "series_limit", "stream_parse", "scrape_align_interval",
             "scrape_offset", "disable_compression", "disable_keepalive", "vm_scrape_params",
             "relabel_debug", "metric_relabel_debug", "no_stale_markers", "max_scrape_size"}
VM_ROLES = {"endpointslices"}

PLACEHOLDER_RE = re.compile(r"\$\$[A-Za-z_][A-Za-z0-9_]*\$\$|\$\{[A-Z_][A-Z0-9_]*\}|\{\{.*?\}\}")
_SIZE_RE = re.compile(r"^(\d+)(B|KB|MB|GB|TB|PB|EB|KiB|MiB|GiB|TiB|PiB|EiB)?$")


@dataclass
class Problem:
    """Something about one job: an error (the job cannot be evaluated) or a warning."""

    severity: str  # "error" | "warning"
    message: str
    file: str
    line: int | None
    field: str | None = None
    #: A value of the wrong type (a list where a mapping belongs, ...): the input is unusable as a scrape
    #: config at all, not only the job (exit status 2), though the other jobs are still evaluated.
    unusable: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field + ': ' if self.field else ''}{self.message}"


@dataclass
class Job:
    """One scrape job as read from a file: its config (fields typed as Prometheus reads them)."""

    name: str
    config: dict
    file: str
    line: int
    doc: Document = field(repr=False)
    path: tuple = ()
    problems: list[Problem] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    @property
    def placeholders(self) -> list[Problem]:
        return [p for p in self.problems if "placeholder" in p.message]


@dataclass(frozen=True)
class JobList:
    """Where a list of scrape jobs sits: a document and the path of the list in it (() = the root)."""

    doc: Document
    path: tuple = ()
    #: the prometheus-community chart's ``scrapeConfigs`` map (chart 28+): job name -> job
    keyed: bool = False

    def entries(self) -> list[tuple[tuple, Any]]:
        """(path of the job, the job as Prometheus gets it) for each job. For the chart's map, the key is
        the default job_name and ``enabled: false`` (or an empty value) leaves the job out, as its
        templates do."""
        if not self.keyed:
            return [(self.path + (i,), raw) for i, raw in enumerate(self.items())]
        node = self.doc.data
        for p in self.path:
            node = node[p]
        if node is None:
            return []
        if not isinstance(node, dict):
            raise self.doc.error(f"expected a mapping of job names to scrape jobs, got {_type_name(node)}",
                                 self.path)
        out = []
        for k, raw in node.items():
            if raw is None or raw == {}:
                continue
            if not isinstance(raw, dict):
                raise self.doc.error(f"a scrape job must be a mapping, got {_type_name(raw)}", self.path + (k,))
            if raw.get("enabled") is False:
                continue
            job = {kk: v for kk, v in raw.items() if kk != "enabled"}
            if job.get("job_name") in (None, ""):
                job = {"job_name": str(k), **{kk: v for kk, v in job.items() if kk != "job_name"}}
            out.append((self.path + (k,), job))
        return out

    def items(self) -> list:
        """The jobs as written ([] for a null list); InputError when the node is not a list."""
        node = self.doc.data
        for p in self.path:
            node = node[p]
        if node is None:
            return []
        if not isinstance(node, list):
            raise self.doc.error(f"expected a list of scrape jobs, got {_type_name(node)}", self.path)
        return node


@dataclass
class Located:
    """What locate_jobs finds in one document: the job lists, the global section, the shape's name."""

    lists: list[JobList]
    global_config: dict
    shape: str
    #: the document has a global section of its own (prometheus.yml, the prometheus-community chart); a bare
    #: job list runs under the global section the operator generates from the Prometheus CR
    own_global: bool = False
    #: kube-prometheus-stack values: the Prometheus CR spec they generate (prometheus.prometheusSpec)
    cr_spec: dict | None = None
    #: kube-prometheus-stack values: prometheusOperator.image.tag, when pinned
    operator_tag: str | None = None


@dataclass
class ScrapeConfigFile:
    jobs: list[Job]
    global_config: dict = field(default_factory=dict)
    shape: str = ""
    notes: list[str] = field(default_factory=list)
    own_global: bool = False
    cr_spec: dict | None = None
    operator_tag: str | None = None

    def effective_global(self, cr_spec: dict | None = None) -> dict:
        """The global section the jobs run under: the file's own, else (a bare job list: the operator's
        additionalScrapeConfigs) the one the operator generates from the Prometheus CR (cr_spec, else the
        one Helm values define)."""
        if self.own_global:
            return dict(self.global_config)
        return operator_global(cr_spec if cr_spec is not None else self.cr_spec)

    def refuse_unusable(self) -> None:
        refuse_unusable(p for j in self.jobs for p in j.problems)


def operator_global(spec: dict | None) -> dict:
    """scrape_interval/scrape_timeout of the global section the operator generates for a Prometheus CR spec
    (its scrapeInterval defaults to 30s, not Prometheus's own 1m). The one place that decides it."""
    spec = spec if isinstance(spec, dict) else {}
    out = {"scrape_interval": str(spec.get("scrapeInterval") or "30s")}
    if spec.get("scrapeTimeout"):
        out["scrape_timeout"] = str(spec["scrapeTimeout"])
    return out


def refuse_unusable(problems: Any) -> None:
    """InputError (ErrorList for several) for every field of the wrong type among problems: such a
    file is no scrape config at all (exit status 2), unlike a job Prometheus would merely refuse."""
    errors = [InputError(p.message, file=p.file, line=p.line, field=p.field) for p in problems if p.unusable]
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ErrorList(errors)


# ---------------------------------------------------------------------------
# Finding the jobs


def _is_job_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(j, dict) and "job_name" in j
                                                           for j in value)


def _embedded(doc: Document, path: tuple, text: str, what: str) -> list[Document]:
    """A YAML text held inside a document (a Secret/ConfigMap value, a Helm string)."""
    base = doc.line_of(path)
    name = f"{doc.file}[{what}]"
    try:
        inner = parse_documents(text, name)
    except InputError as err:
        raise InputError(err.message, file=doc.file,
                         line=(base + err.line) if err.line else base, field=dotted(path)) from None
    for d in inner:
        d.file = doc.file
        d.marks = {k: v + base for k, v in d.marks.items()}  # a block scalar starts below its key
        d.line += base
    return inner


def _decode_secret_value(doc: Document, key: str, value: Any) -> str:
    try:
        return base64.b64decode(str(value), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise doc.error(f"Secret data key {key!r} is not valid base64 of UTF-8 text", ("data", key)) from None


class NoScrapeConfig(InputError):
    """A Secret or ConfigMap that holds no scrape config (it may hold credentials for monitors)."""


#: The global section's fields whose type migrator reads (Prometheus's GlobalConfig).
GLOBAL: dict[str, Any] = {
    "scrape_interval": DUR, "scrape_timeout": DUR, "evaluation_interval": DUR, "rule_query_offset": DUR,
    "scrape_protocols": STRLIST, "external_labels": STRMAP, "query_log_file": STR,
    "scrape_failure_log_file": STR, "body_size_limit": SIZE, "sample_limit": INT, "target_limit": INT,
    "label_limit": INT, "label_name_length_limit": INT, "label_value_length_limit": INT,
    "keep_dropped_targets": INT, "metric_name_validation_scheme": STR, "metric_name_escaping_scheme": STR,
    "scrape_native_histograms": BOOL, "always_scrape_classic_histograms": BOOL,
    "convert_classic_histograms_to_nhcb": BOOL, "extra_scrape_metrics": BOOL,
}


def _global(doc: Document, value: Any, path: tuple) -> dict:
    """The global section: a mapping (null or missing: empty), whose fields have their types.

    A field of the wrong type is InputError (several: ErrorList); a value Prometheus refuses (an
    invalid duration) is left to the commands, which judge each job under it.
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise doc.error(f"must be a mapping, got {_type_name(value)}", path)
    probe = Job("", {}, doc.file, doc.line_of(path), doc, path)
    _typed({k: v for k, v in value.items() if k in GLOBAL}, GLOBAL, doc, path, probe)
    refuse_unusable(probe.problems)
    return value


def locate_jobs(doc: Document, *, key: str | None = None) -> Located:
    """The job lists of one document, its global section, and the shape's name."""
    data = doc.data
    if isinstance(data, list):
        if data and not _is_job_list(data):
            bad = next(i for i, j in enumerate(data) if not (isinstance(j, dict) and "job_name" in j))
            raise doc.error("a list of scrape jobs must hold mappings with job_name", (bad,))
        return Located([JobList(doc)], {}, "list")
    if not isinstance(data, dict):
        raise doc.error(f"not a scrape configuration: expected a mapping or a list of jobs, got "
                        f"{_type_name(data)}")
    kind = data.get("kind")
    if kind in ("Secret", "ConfigMap") and isinstance(data.get("apiVersion"), str):
        found: list[tuple[Document, str]] = []
        for section in ("stringData", "data") if kind == "Secret" else ("data",):
            values = data.get(section)
            if values is None:
                continue
            if not isinstance(values, dict):
                raise doc.error(f"{section} must be a mapping of keys to strings, got {_type_name(values)}",
                                (section,))
            for k, v in values.items():
                if key is not None and k != key:
                    continue
                if isinstance(v, (dict, list)):
                    raise doc.error(f"must be a string, got {_type_name(v)}", (section, k))
                try:  # without --key, a value that is not YAML (a certificate, binary data) is not ours
                    text = _decode_secret_value(doc, k, v) if (kind == "Secret" and section == "data") \
                        else v if isinstance(v, str) else "" if v is None else (doc.text_of((section, k)) or str(v))
                    inner = _embedded(doc, (section, k), text, str(k))
                except InputError:
                    if key is not None:
                        raise
                    continue
                for d in inner:
                    if isinstance(d.data, list) and _is_job_list(d.data) or \
                            isinstance(d.data, dict) and "scrape_configs" in d.data:
                        found.append((d, str(k)))
        if not found:
            wanted = f"key {key!r}" if key else "key holding scrape configs"
            err = doc.error(f"{kind} {doc.name!r} has no {wanted}", ("data",))
            raise NoScrapeConfig(err.message, file=err.file, line=err.line, field=err.field)
        keys = sorted({k for _, k in found})
        if len(keys) > 1 and key is None:
            raise doc.error(f"{kind} {doc.name!r} has several keys holding scrape configs "
                            f"({', '.join(keys)}); choose one with --key")
        lists: list[JobList] = []
        glob: dict = {}
        own = False
        for d, _ in found:
            inner_found = locate_jobs(d)
            lists.extend(inner_found.lists)
            glob = glob or inner_found.global_config
            own = own or inner_found.own_global
        return Located(lists, glob, f"{kind.lower()}:{keys[0]}", own)
    if "scrape_configs" in data:
        sc = data["scrape_configs"]
        if sc is not None and not isinstance(sc, list):
            raise doc.error(f"scrape_configs must be a list, got {_type_name(sc)}", ("scrape_configs",))
        return Located([JobList(doc, ("scrape_configs",))], _global(doc, data.get("global"), ("global",)),
                       "prometheus.yml", True)
    # Helm values: kube-prometheus-stack
    prom = data.get("prometheus")
    spec = prom.get("prometheusSpec") if isinstance(prom, dict) else None
    op = data.get("prometheusOperator")
    op_image = op.get("image") if isinstance(op, dict) else None
    op_tag = str(op_image["tag"]) if isinstance(op_image, dict) and op_image.get("tag") else None
    if isinstance(spec, dict) and "additionalScrapeConfigs" in spec:
        path = ("prometheus", "prometheusSpec", "additionalScrapeConfigs")
        value = spec["additionalScrapeConfigs"]
        if isinstance(value, str):
            inner = _embedded(doc, path, value, "additionalScrapeConfigs")
            for d in inner:
                if not isinstance(d.data, list):
                    raise d.error(f"additionalScrapeConfigs must hold a list of scrape jobs, got "
                                  f"{_type_name(d.data)}")
            return Located([JobList(d) for d in inner], {}, "helm-values", cr_spec=spec, operator_tag=op_tag)
        if value is not None and not isinstance(value, list):
            raise doc.error(f"must be a list of scrape jobs (or a string holding one), got {_type_name(value)}",
                            path)
        return Located([JobList(doc, path)], {}, "helm-values", cr_spec=spec, operator_tag=op_tag)
    # Helm values: the prometheus-community chart
    server_files = data.get("serverFiles")
    if isinstance(server_files, dict) and isinstance(server_files.get("prometheus.yml"), dict):
        base = ("serverFiles", "prometheus.yml")
        prom_yml = server_files["prometheus.yml"]
        lists = []
        layouts = []
        if "scrapeConfigs" in data:  # chart 28+: a map keyed by job name, rendered before the others
            if data["scrapeConfigs"] is not None and not isinstance(data["scrapeConfigs"], dict):
                raise doc.error(f"scrapeConfigs must be a mapping of job names to scrape jobs, got "
                                f"{_type_name(data['scrapeConfigs'])}", ("scrapeConfigs",))
            lists.append(JobList(doc, ("scrapeConfigs",), keyed=True))
            layouts.append("scrapeConfigs map")
        if "scrape_configs" in prom_yml:
            layouts.append("serverFiles.prometheus.yml scrape_configs list")
            sc = prom_yml["scrape_configs"]
            if sc is not None and not isinstance(sc, list):
                raise doc.error(f"scrape_configs must be a list, got {_type_name(sc)}", base + ("scrape_configs",))
            lists.append(JobList(doc, base + ("scrape_configs",)))
        extra = data.get("extraScrapeConfigs")
        if extra is not None and not isinstance(extra, str):
            raise doc.error(f"must be a string holding a list of scrape jobs, got {_type_name(extra)}",
                            ("extraScrapeConfigs",))
        if isinstance(extra, str) and extra.strip():
            for d in _embedded(doc, ("extraScrapeConfigs",), extra, "extraScrapeConfigs"):
                if not isinstance(d.data, list):
                    raise d.error(f"extraScrapeConfigs must hold a list of scrape jobs, got {_type_name(d.data)}")
                lists.append(JobList(d))
            layouts.append("extraScrapeConfigs")
        # the chart writes server.global as prometheus.yml's global section
        server = data.get("server")
        if "global" in prom_yml or not (isinstance(server, dict) and "global" in server):
            glob = _global(doc, prom_yml.get("global"), base + ("global",))
        else:
            glob = _global(doc, server.get("global"), ("server", "global"))
        if not lists:
            raise doc.error("the chart's prometheus.yml has no scrape_configs, and there is no scrapeConfigs "
                            "map and no extraScrapeConfigs", base)
        return Located(lists, glob, f"helm-values (prometheus-community chart: {', '.join(layouts)})", True)
    raise doc.error("no scrape configuration found: expected scrape_configs, a list of jobs, a Secret or "
                    "ConfigMap holding one, or Helm values with additionalScrapeConfigs")


def split_documents(docs: list[Document], *, key: str | None = None
                    ) -> tuple[list[Document], list[Document], list[InputError]]:
    """(scrape config documents, other Kubernetes objects, Secrets/ConfigMaps holding no scrape config) of a
    set of documents: the one reader every command uses (a manifest's ConfigMap need not come first)."""
    raw_docs, object_docs = [], []
    not_configs: list[InputError] = []  # Secrets/ConfigMaps without scrape configs: credentials, maybe
    for doc in docs:
        d = doc.data
        if isinstance(d, dict) and isinstance(d.get("apiVersion"), str) and isinstance(d.get("kind"), str):
            if d["kind"] in ("Secret", "ConfigMap"):
                try:
                    locate_jobs(doc, key=key)
                    raw_docs.append(doc)
                    continue
                except NoScrapeConfig as err:
                    not_configs.append(err)
            object_docs.append(doc)
        else:
            raw_docs.append(doc)
    return raw_docs, object_docs, not_configs


def read_jobs(docs: list[Document], *, key: str | None = None) -> ScrapeConfigFile:
    """Every job of every document, checked against the schema."""
    jobs: list[Job] = []
    glob: dict = {}
    shapes = []
    own = False
    cr_spec = None
    operator_tag = None
    for doc in docs:
        located = locate_jobs(doc, key=key)
        shapes.append(located.shape)
        glob = glob or located.global_config
        own = own or located.own_global
        cr_spec = cr_spec if cr_spec is not None else located.cr_spec
        operator_tag = operator_tag or located.operator_tag
        for where in located.lists:
            for path, raw in where.entries():
                jobs.append(read_job(where.doc, path, raw))
    seen: dict[str, Job] = {}
    for job in jobs:
        if job.name in seen:
            job.problems.append(Problem("error", f"job_name {job.name!r} is used twice (first at "
                                                 f"{seen[job.name].file}:{seen[job.name].line}); Prometheus "
                                                 "refuses the config", job.file, job.line, "job_name"))
        else:
            seen[job.name] = job
    return ScrapeConfigFile(jobs, glob, ", ".join(dict.fromkeys(shapes)), own_global=own, cr_spec=cr_spec,
                            operator_tag=operator_tag)


def read_job(doc: Document, path: tuple, raw: Any) -> Job:
    if not isinstance(raw, dict):
        raise doc.error("a scrape job must be a mapping", path)
    name = doc.text_of(path + ("job_name",)) if isinstance(raw.get("job_name"), (str, int, float, bool)) else None
    if not name and isinstance(raw.get("job_name"), str):
        name = raw["job_name"]  # the chart's scrapeConfigs map: the key is the job name
    job = Job(name or "", {}, doc.file, doc.line_of(path), doc, path)
    if not name:
        job.problems.append(Problem("error", "job_name is empty", doc.file, doc.line_of(path), "job_name"))
    job.config = _typed(raw, SCRAPE_CONFIG, doc, path, job)
    if name and job.config.get("job_name") in (None, ""):
        job.config["job_name"] = name  # the chart's map: job_name "" in the source means the key
    _check_dialect_and_placeholders(job)
    return job


def _typed(value: Any, schema: Any, doc: Document, path: tuple, job: Job) -> Any:
    """value read as Prometheus reads it under schema; problems recorded on the job.

    A value of the wrong type is recorded as a problem (the job fails) and read as null, so that
    nothing downstream meets a list where a mapping belongs.
    """
    def problem(message: str, severity: str = "error", *, unusable: bool = True) -> None:
        """unusable: a value of the wrong type (the file is no scrape config); else a value Prometheus
        refuses (the job is invalid)."""
        job.problems.append(Problem(severity, message, doc.file, doc.line_of(path), dotted(path),
                                    unusable=unusable))

    if schema == "any" or value is None:
        return value
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            problem(f"expected a mapping, got {_type_name(value)}")
            return None
        out = {}
        for k, v in value.items():
            if k not in schema:
                hint = " (VictoriaMetrics dialect)" if k in VM_FIELDS else ""
                job.problems.append(Problem("error", f"field {k} not found in type "
                                                     f"{_schema_name(schema)}{hint}",
                                            doc.file, doc.line_of(path + (k,)), dotted(path + (k,))))
                out[k] = v
                continue
            out[k] = _typed(v, schema[k], doc, path + (k,), job)
        return out
    if isinstance(schema, list):
        if not isinstance(value, list):
            problem(f"expected a list, got {_type_name(value)}")
            return None
        return [_typed(v, schema[0], doc, path + (i,), job) for i, v in enumerate(value)]
    if schema == STR:
        if isinstance(value, (dict, list)):
            problem(f"expected a string, got {_type_name(value)}")
            return None
        return doc.text_of(path) if doc.text_of(path) is not None else str(value)
    if schema == BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and PLACEHOLDER_RE.search(value):
            return value
        problem(f"expected true or false, got {_shown(doc.text_of(path))}")
        return value
    if schema in (INT, FLOAT):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            if isinstance(value, str) and PLACEHOLDER_RE.search(value):
                return value
            problem(f"expected a number, got {_shown(doc.text_of(path)) if doc.text_of(path) else _type_name(value)}")
            return None
        if schema == INT and (isinstance(value, float) or value < 0):
            problem(f"expected a non-negative integer, got {_shown(doc.text_of(path))}", unusable=False)
        return value
    if schema == DUR:
        text = doc.text_of(path) if doc.text_of(path) is not None else str(value)
        if isinstance(value, (dict, list)):
            problem(f"expected a duration, got {_type_name(value)}")
            return None
        if PLACEHOLDER_RE.search(text):
            return text
        try:
            parse_duration(text)
        except ValueError as exc:  # Prometheus's wording (the newest release's: the reader is version-free)
            problem(str(exc), unusable=False)
        return text
    if schema == SIZE:
        text = doc.text_of(path) if doc.text_of(path) is not None else str(value)
        if not _SIZE_RE.match(text) and not PLACEHOLDER_RE.search(text):
            problem(f"not a valid size: {_shown(text)}", unusable=False)
        return text
    if schema == STRLIST:
        if not isinstance(value, list):
            problem(f"expected a list of strings, got {_type_name(value)}")
            return None
        return [_typed(v, STR, doc, path + (i,), job) for i, v in enumerate(value)]
    if schema == STRMAP:
        if not isinstance(value, dict):
            problem(f"expected a mapping of strings, got {_type_name(value)}")
            return None
        return {str(k): _typed(v, STR, doc, path + (k,), job) for k, v in value.items()}
    if schema in (PARAMS, HEADERS):
        if not isinstance(value, dict):
            problem(f"expected a mapping of string lists, got {_type_name(value)}")
            return None
        return {str(k): _typed(v, STRLIST, doc, path + (k,), job) for k, v in value.items()}
    raise AssertionError(schema)  # pragma: no cover


def _shown(text: str | None) -> str:
    """A literal quoted for a message, cut short when long."""
    if text is None:
        return "null"
    return repr(text) if len(text) <= 40 else repr(text[:40]) + "..."


def _schema_name(schema: dict) -> str:
    names = {id(SCRAPE_CONFIG): "scrape_config", id(RELABEL): "relabel_config",
             id(KUBERNETES_SD): "kubernetes_sd_config", id(TLS): "tls_config", id(OAUTH2): "oauth2",
             id(STATIC): "static_config", id(FILE_SD): "file_sd_config"}
    return names.get(id(schema), "this section")


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "an integer",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def placeholder_warnings(doc: Document, path: tuple = ()) -> list[str]:
    """``file:line: field: templating placeholder X kept literally`` for every placeholder in a document (a
    monitor copied from a chart's templates): the same warning raw jobs get."""
    node: Any = doc.data
    for p in path:  # a document without that part (a monitor without spec) has no placeholder there
        if isinstance(node, dict) and p in node or isinstance(node, list) and isinstance(p, int) and -len(node) <= p < len(node):
            node = node[p]
        else:
            return []
    out = []
    for sub, text in _walk_strings(node, ()):
        for m in dict.fromkeys(x.group(0) for x in PLACEHOLDER_RE.finditer(text)):
            full = path + sub
            out.append(f"{doc.file}:{doc.line_of(full)}: {dotted(full)}: templating placeholder {m} kept "
                       "literally (it is substituted before Prometheus sees it)")
    return out


def _walk_strings(value: Any, path: tuple):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _walk_strings(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk_strings(v, path + (i,))


def _check_dialect_and_placeholders(job: Job) -> None:
    doc, base, cfg = job.doc, job.path, job.config
    for section in ("relabel_configs", "metric_relabel_configs"):
        for i, rule in enumerate(cfg.get(section) or []):
            if isinstance(rule, dict) and isinstance(rule.get("action"), str) \
                    and rule["action"].lower() in VM_RELABEL_ACTIONS:
                p = base + (section, i, "action")
                job.problems.append(Problem("error", f"relabel action {rule['action']!r} is VictoriaMetrics "
                                                     "dialect; Prometheus rejects it", doc.file,
                                            doc.line_of(p), dotted(p)))
    for i, sd in enumerate(cfg.get("kubernetes_sd_configs") or []):
        if isinstance(sd, dict) and sd.get("role") in VM_ROLES:
            p = base + ("kubernetes_sd_configs", i, "role")
            job.problems.append(Problem("error", f"role {sd['role']!r} is VictoriaMetrics dialect "
                                                 "(Prometheus has 'endpointslice')", doc.file,
                                        doc.line_of(p), dotted(p)))
    seen = set()
    for path, text in _walk_strings(cfg, ()):
        for m in PLACEHOLDER_RE.finditer(text):
            token = m.group(0)
            if token.startswith("${") and _named_group_defined(cfg, path, token[2:-1]):
                continue
            if (path, token) in seen:
                continue
            seen.add((path, token))
            p = base + path
            job.problems.append(Problem("warning", f"templating placeholder {token} kept literally (it is "
                                                   "substituted before Prometheus sees it)", doc.file,
                                        doc.line_of(p), dotted(p)))


def _named_group_defined(cfg: dict, path: tuple, name: str) -> bool:
    if len(path) >= 3 and path[0] in ("relabel_configs", "metric_relabel_configs"):
        rule = cfg[path[0]][path[1]]
        regex = rule.get("regex") if isinstance(rule, dict) else None
        return isinstance(regex, str) and f"(?P<{name}>" in regex
    return False
