"""One fuzz case from (seed, index): a command line, its input files, and what may hold secrets."""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass, field

from tests.fuzz import corpus, mutate
import yaml

from tests.fuzz.secrets import Planted, b64, plant_inventory, plant_monitors, plant_raw

COMMANDS = [("render", 22), ("validate", 11), ("targets", 18), ("migrate", 19), ("diff", 18), ("generate", 3),
            ("why", 5), ("lint", 5)]
VERSIONS = ["2.30.0", "2.36.0", "2.42.0", "v2.54.1", "3.0.0", "v3.13.2", "x.y.z", "", "2.42.0-rc.0", "99999999999.0.0"]
PRECIOUS = b"precious: an existing file that must not change without --force\n"


@dataclass
class Case:
    seed: int
    index: int
    command: str
    args: list[list[str]]            # option groups; group 0 is the command and its positionals
    droppable: list[int]             # indices of groups a minimizer may drop
    files: dict[str, bytes]          # input files by name (relative to the case directory)
    stdin: bytes | None = None
    planted: Planted | None = None
    secret_files: set[str] = field(default_factory=set)   # outputs asked to hold secrets
    secret_stdout: bool = False
    existing: dict[str, bytes] = field(default_factory=dict)  # outputs present before, must not change
    symlinks: dict[str, str] = field(default_factory=dict)    # planted links (name -> target), never followed
    outputs: set[str] = field(default_factory=set)  # destinations named on the command line
    cluster: list | None = None      # objects a fake API server serves (tests/fake_kube.py); @kubeconfig points at it
    cluster_input: str = ""          # which input's (mutated) JSON text gives those objects
    mutated: str = ""                # which input was mutated
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"seed{self.seed}-case{self.index}"

    def argv(self, workdir: str | None = None, groups: list[int] | None = None) -> list[str]:
        """The command line; names of case files made absolute under workdir."""
        out: list[str] = []
        for i, g in enumerate(self.args):
            if groups is not None and i not in groups:
                continue
            for tok in g:
                if workdir and tok.startswith("@"):
                    out.append(f"{workdir}/{tok[1:]}")
                elif tok.startswith("@"):
                    out.append(tok[1:])
                else:
                    out.append(tok)
        return out

    def describe(self) -> str:
        return f"{self.name}: migrator {' '.join(self.argv())}  [{self.mutated}: {'; '.join(self.notes)}]"


def _dump_yaml(docs: list) -> mutate.Doc:
    return mutate.Doc(docs, "yaml")


def _secret_values(inputs: dict) -> list[str]:
    """The values of every Secret's data/stringData in the inputs (they hold markers, maybe encoded)."""
    out = []
    for doc in inputs.values():
        for d in corpus.items_of(doc.docs):
            if isinstance(d, dict) and d.get("kind") == "Secret":
                for key in ("data", "stringData"):
                    if isinstance(d.get(key), dict):
                        out += [v for v in d[key].values() if isinstance(v, str) and len(v) >= 8]
    return out


def _wrap_raw(docs: list, rng: random.Random) -> tuple[list, str]:
    """The same jobs in another shape migrator reads: a ConfigMap, a Secret, Helm values (both charts)."""
    jobs = [j for d in docs for j in (d.get("scrape_configs") if isinstance(d, dict) else d) or []
            if isinstance(d, (dict, list))] if all(isinstance(d, (dict, list)) for d in docs) else []
    if not jobs:
        return docs, "itself"
    shape = rng.choice(["ConfigMap", "Secret", "Secret stringData", "kube-prometheus-stack values",
                        "prometheus chart values"])
    text = yaml.safe_dump({"scrape_configs": jobs}, sort_keys=False)
    if shape == "ConfigMap":
        return [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "prom", "namespace": "monitoring"},
                 "data": {"prometheus.yml": text}}], shape
    if shape == "Secret":
        return [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "additional-scrape-configs"},
                 "data": {"prometheus-additional.yaml": b64(yaml.safe_dump(jobs, sort_keys=False))}}], shape
    if shape == "Secret stringData":
        return [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "additional-scrape-configs"},
                 "stringData": {"prometheus-additional.yaml": yaml.safe_dump(jobs, sort_keys=False)}}], shape
    if shape == "kube-prometheus-stack values":
        return [{"prometheus": {"prometheusSpec": {"additionalScrapeConfigs": jobs}}}], shape
    return [{"serverFiles": {"prometheus.yml": {"scrape_configs": jobs}}}], shape


class _Builder:
    def __init__(self, seed: int, index: int, wrong_types: bool = True):
        self.wrong_types = wrong_types
        self.rng = random.Random(f"migrator-fuzz:{seed}:{index}")
        self.case = Case(seed, index, "", [], [], {})
        self.case.planted = Planted(self.rng)
        self.inputs: dict[str, mutate.Doc] = {}

    # -- inputs

    def monitors(self) -> str:
        bases = corpus.monitors()
        if self.maybe(0.5):  # the samples and real setups half the time (the operator cases are many and small)
            bases = tuple(b for b in bases if "operator-cases" not in b.name) or bases
        base = self.rng.choice(bases)
        docs = plant_monitors(copy.deepcopy(list(base.docs)), self.case.planted, self.rng, self.wrong_types)
        self.inputs["monitors.yaml"] = _dump_yaml(docs)
        self.case.notes.append(f"monitors from {base.name}")
        self.monitor_docs = docs
        return "monitors.yaml"

    def raw(self, name: str = "raw.yaml") -> str:
        base = self.rng.choice(corpus.raws())
        docs = plant_raw(copy.deepcopy(list(base.docs)), self.case.planted, self.rng)
        self.raw_docs = docs
        shape = ""
        if self.maybe(0.3):
            docs, shape = _wrap_raw(docs, self.rng)
            shape = f" as {shape}"
        self.inputs[name] = _dump_yaml(docs)
        self.case.notes.append(f"{name} from {base.name}{shape}")
        return name

    def inventory(self) -> str:
        base = self.rng.choice(corpus.inventories())
        items = corpus.items_of(copy.deepcopy(list(base.docs)))
        if len(items) > 40:
            keep = sorted(self.rng.sample(range(len(items)), 40))
            items = [items[i] for i in keep]
        items = plant_inventory(items, self.case.planted, self.rng)
        doc = {"apiVersion": "v1", "kind": "List", "items": items}
        form = "json" if self.rng.random() < 0.5 else "yaml"
        name = f"inventory.{form}"
        self.inputs[name] = mutate.Doc([doc], form)
        self.case.notes.append(f"inventory from {base.name}")
        self.inventory_items = items
        return name

    def inventory_or_cluster(self) -> None:
        """--inventory FILE, or sometimes the same objects listed from a fake API server (--cluster)."""
        inv = self.inventory()
        if self.maybe(0.15):
            self.inputs[inv].form = "json"
            self.case.cluster_input = inv
            self.opt("--cluster", "--kubeconfig", "@kubeconfig", droppable=False)
        else:
            self.opt("--inventory", f"@{inv}", droppable=False)

    def prometheus(self) -> str:
        base = self.rng.choice(corpus.prometheuses())
        self.inputs["prometheus.yaml"] = _dump_yaml(copy.deepcopy(list(base.docs)))
        self.case.notes.append(f"Prometheus CR from {base.name}")
        return "prometheus.yaml"

    def mapping(self, old: list[str], new: list[str]) -> str:
        jobs = [{"job_name": o, "rendered_jobs": [self.rng.choice(new)] if new else []} for o in old]
        self.inputs["mapping.json"] = mutate.Doc([{"jobs": jobs}], "json")
        return "mapping.json"

    # -- options

    def opt(self, *tokens: str, droppable: bool = True) -> None:
        self.case.args.append(list(tokens))
        if droppable:
            self.case.droppable.append(len(self.case.args) - 1)

    def maybe(self, p: float) -> bool:
        return self.rng.random() < p

    def output_file(self, flag: str, name: str, *, secret: bool = False) -> None:
        """A destination; sometimes already present (then it must not change without --force)."""
        self.opt(flag, f"@{name}")
        self.case.outputs.add(name)
        if secret:
            self.case.secret_files.add(name)
        r = self.rng.random()
        if self.rng.random() < 0.1:  # a link planted at the old fixed temp name must not be written through
            self.case.symlinks[f"{name}.tmp-migrator"] = "victim"
            self.case.existing["victim"] = PRECIOUS
        if r < 0.25:
            self.case.existing[name] = PRECIOUS
        elif r < 0.4:
            self.case.files[name] = PRECIOUS  # present, and replaced with --force
            if not any(g == ["--force"] for g in self.case.args):
                self.opt("--force")

    # -- commands

    def render(self) -> None:
        mon = self.monitors()
        self.case.args.append(["render", f"@{mon}"])
        if self.maybe(0.4):
            self.opt("--prometheus", f"@{self.prometheus()}")
        if self.maybe(0.2):
            self.opt("--prometheus-version", self.rng.choice(VERSIONS))
        if self.maybe(0.4):
            self.opt("--format", self.rng.choice(["list", "prometheus-yml", "secret", "helm-values"]))
        if self.maybe(0.25):
            self.opt("--output", "json")
        mode = self.rng.random()
        if mode < 0.3:
            self.opt("--operator-compatible")
            if self.maybe(0.5):
                self.output_file("-o", "out.yaml", secret=True)
            else:
                self.case.secret_stdout = True
        elif mode < 0.5:
            self.opt("--inline-secrets")
            if self.maybe(0.85):
                self.output_file("-o", "out.yaml", secret=True)
        elif mode < 0.75:
            self.output_file("-o", "out.yaml")
        if self.maybe(0.1) and mode >= 0.3:  # (portable mode only)
            self.opt("--shards", "2", "--shard", str(self.rng.choice([0, 1, 5])))

    def validate(self) -> None:
        mon = self.monitors()
        self.case.args.append(["validate", f"@{mon}"])
        if self.maybe(0.4):
            self.opt("--output", "json")
        if self.maybe(0.2):
            self.opt("--prometheus-version", self.rng.choice(VERSIONS))
        if self.maybe(0.2):
            self.opt("--strict-names")

    def targets(self) -> None:
        monitors = self.maybe(0.4)
        src = self.monitors() if monitors else self.raw()
        self.case.args.append(["targets", f"@{src}"])
        self.inventory_or_cluster()
        if monitors and self.maybe(0.5):
            self.opt("--prometheus", f"@{self.prometheus()}")
        if self.maybe(0.3):
            self.opt("--output", "json")
        if self.maybe(0.3):
            self.opt("--show-dropped")
        if self.maybe(0.15):
            names = [it.get("metadata", {}).get("name") for it in self.inventory_items
                     if isinstance(it, dict) and isinstance(it.get("metadata"), dict)]
            names = [n for n in names if isinstance(n, str)] or ["10.0.0.1:80"]
            self.opt("--explain", self.rng.choice(names))
        if self.maybe(0.1):
            self.opt("--prometheus-version", self.rng.choice(VERSIONS))
        if self.maybe(0.1):
            self.opt("--own-namespace", self.rng.choice(["default", "", "a/b", "x" * 300]))
        if self.maybe(0.05):
            self.opt("--key", self.rng.choice(["prometheus.yml", "nope", ""]))
        if self.maybe(0.3):
            self.output_file("-o", "targets.out")

    def migrate(self) -> None:
        src = self.raw("source.yaml")
        self.case.args.append(["migrate", f"@{src}"])
        # the source rewritten without its migrated jobs keeps the user's own inline credentials
        if self.maybe(0.8):
            self.inventory_or_cluster()
        if self.maybe(0.3):
            self.output_file("-o", "outdir")
            self.case.existing.pop("outdir", None)
            if self.case.files.pop("outdir", None) is not None:
                self.case.files["outdir/existing.yaml"] = PRECIOUS
        if self.maybe(0.3):
            self.output_file("--report", self.rng.choice(["report.json", "report.md"]))
        if self.maybe(0.3):
            self.output_file("--secrets-out", "secrets.yaml", secret=True)
        if self.maybe(0.2):
            self.output_file("--rewrite-source", "rest.yaml", secret=True)
        if self.maybe(0.08) and not any(g[0] == "--rewrite-source" for g in self.case.args):
            self.opt("--in-place")  # the source changes; a backup of it must hold its old text
            if self.maybe(0.4):
                self.case.existing["source.yaml.bak"] = PRECIOUS  # an old backup is never overwritten
        if self.maybe(0.15):
            self.opt("--keep-raw")
        if self.maybe(0.15):
            self.opt("--adopt-operator-labels")
        if self.maybe(0.15):
            self.opt("--allow-label-changes")
        if self.maybe(0.15):
            self.opt("--prometheus", f"@{self.prometheus()}")
        if self.maybe(0.1):
            self.opt("--prometheus-version", self.rng.choice(VERSIONS))
        if self.maybe(0.1):
            self.opt("--namespace", self.rng.choice(["", "UPPER", "a" * 300, "kube-system"]))
        if self.maybe(0.1):
            self.opt("--label", self.rng.choice(["release=x", "=", "noequals", "a=b=c", "k8s.io/x=y"]))
        if self.maybe(0.05):
            self.opt("--key", self.rng.choice(["prometheus-additional.yaml", "nope", ""]))

    def diff(self) -> None:
        if self.maybe(0.1):
            return self.diff_from_cluster()
        shape = self.rng.random()
        if shape < 0.7:
            old, new = self.raw("old.yaml"), self.monitors()
        elif shape < 0.85:
            old, new = self.raw("old.yaml"), self.raw("new.yaml")
        else:
            old, new = self.monitors(), self.raw("new.yaml")
        self.case.args.append(["diff", f"@{old}", f"@{new}"])
        inventory = self.maybe(0.5)
        if inventory:
            self.inventory_or_cluster()
        if self.maybe(0.25):
            olds = corpus.job_names(self.raw_docs) if old != "monitors.yaml" else []
            news = (corpus.monitor_job_names(self.monitor_docs) if new == "monitors.yaml"
                    else corpus.job_names(self.raw_docs))
            self.opt("--mapping", f"@{self.mapping(olds, news)}")
        if self.maybe(0.5):
            self.opt("--output", self.rng.choice(["json", "markdown"]))
        if inventory and self.maybe(0.2):
            self.opt("--targets-only")
        if self.maybe(0.2):
            self.opt("--operator-compatible")
            self.opt("--prometheus", f"@{self.prometheus()}")
        elif self.maybe(0.1):
            self.opt("--prometheus", f"@{self.prometheus()}")
        if self.maybe(0.1):
            olds = corpus.job_names(self.raw_docs) or ["x"]
            self.opt("--map", f"{self.rng.choice(olds + ['', '='])}={self.rng.choice(['a', '', 'podMonitor/x/y/0'])}")
        if self.maybe(0.1):
            self.opt("--fail-on", self.rng.choice(["config", "targets", "labels", "nothing", ""]))
        if self.maybe(0.2):
            self.output_file("-o", "diff.out")

    def diff_from_cluster(self) -> None:
        """diff --from-cluster: OLD is the Prometheus CR's additionalScrapeConfigs Secret and the monitors it
        selects, served by a fake API server with the inventory's objects; all of it mutable as one JSON text."""
        new = self.monitors() if self.maybe(0.7) else self.raw("new.yaml")
        mon_docs = list(self.monitor_docs) if new == "monitors.yaml" else []
        self.raw("old-jobs.yaml")
        jobs = corpus.job_names(self.raw_docs)
        raw_jobs = [j for d in self.raw_docs for j in (d.get("scrape_configs") or [] if isinstance(d, dict) else
                                                         d if isinstance(d, list) else [])]
        del self.inputs["old-jobs.yaml"]
        prom = copy.deepcopy(list(self.rng.choice(corpus.prometheuses()).docs))[0]
        meta = prom.setdefault("metadata", {}) if isinstance(prom, dict) else {}
        meta.setdefault("namespace", "monitoring")
        spec = prom.setdefault("spec", {})
        spec["additionalScrapeConfigs"] = {"name": "extra-scrape", "key": "jobs.yaml"}
        secret = {"apiVersion": "v1", "kind": "Secret",
                  "metadata": {"name": "extra-scrape", "namespace": meta.get("namespace")},
                  "data": {"jobs.yaml": b64(yaml.safe_dump(raw_jobs, sort_keys=False))}}
        base = self.rng.choice(corpus.inventories())
        items = corpus.items_of(copy.deepcopy(list(base.docs)))[:20]
        objs = [prom, secret] + [copy.deepcopy(m) for m in mon_docs] + items
        self.inputs["cluster.json"] = mutate.Doc([{"apiVersion": "v1", "kind": "List", "items": objs}], "json")
        self.case.cluster_input = "cluster.json"
        self.case.notes.append(f"cluster: Prometheus CR, Secret with {len(jobs)} job(s), {len(mon_docs)} object(s) "
                               f"of NEW, {len(items)} from {base.name}")
        self.case.args.append(["diff", f"@{new}", "--from-cluster", "--kubeconfig", "@kubeconfig"])
        if self.maybe(0.3):
            self.opt("--prometheus", f"{meta.get('namespace')}/{meta.get('name')}")
        if self.maybe(0.4):
            self.opt("--output", self.rng.choice(["json", "markdown"]))

    # -- mutation

    def mutate(self, forced: str | None = None) -> None:
        names = list(self.inputs)
        weights = [6 if n in ("monitors.yaml", "raw.yaml", "source.yaml", "old.yaml", "new.yaml") else 2
                   for n in names]
        r = self.rng.random()
        count = 0 if r < 0.12 else 1 if r < 0.8 else 2 if r < 0.95 else 3
        if forced:
            count = 0 if forced == "none" else 1
        texts: dict[str, bytes] = {}
        taboo = list(self.case.planted.markers) + _secret_values(self.inputs)
        for doc in self.inputs.values():
            doc.taboo = taboo
        targets = [self.rng.choices(names, weights)[0] for _ in range(count)] if names else []
        text_mutation: dict[str, bool] = {}
        for name in targets:
            doc = self.inputs[name]
            if forced is None and self.maybe(0.3):
                text_mutation[name] = True
                continue
            fn = getattr(mutate, forced) if forced else mutate.pick(self.rng, mutate.TREE_MUTATIONS)
            self.case.notes.append(f"{name}: {fn(doc, self.rng)}")
        for name, doc in self.inputs.items():
            texts[name] = doc.text().encode("utf-8", "surrogatepass")
        for name in text_mutation:
            table = mutate.TEXT_MUTATIONS_JSON if self.inputs[name].form == "json" else mutate.TEXT_MUTATIONS_YAML
            fn = mutate.pick(self.rng, table)
            texts[name], desc = fn(texts[name], self.rng)
            self.case.notes.append(f"{name}: {desc}")
        self.case.mutated = ",".join(dict.fromkeys(targets)) or "nothing"
        if self.case.cluster_input:  # served by the fake API server, not given as a file
            text = texts.pop(self.case.cluster_input)
            try:
                doc = json.loads(text)
                self.case.cluster = doc["items"] if isinstance(doc, dict) and isinstance(doc.get("items"), list) \
                    else [doc]
                self.case.cluster = [o for o in self.case.cluster if isinstance(o, dict)]
            except (ValueError, RecursionError, KeyError, TypeError):
                self.case.notes.append("(the mutated objects are not JSON: served unmutated)")
                unmutated = json.loads(mutate.Doc(self.inputs[self.case.cluster_input].docs, "json").text())
                self.case.cluster = [o for o in corpus.items_of([unmutated]) if isinstance(o, dict)]
        self.case.files.update(texts)
        self.finish()

    def finish(self) -> None:
        """An input on stdin ('-'), rarely two; an input as a directory of files with junk beside it."""
        refs = [(gi, ti) for gi, g in enumerate(self.case.args) for ti, tok in enumerate(g)
                if tok.startswith("@") and tok[1:] in self.case.files and tok[1:] not in self.case.outputs]
        if refs and self.maybe(0.12):
            gi, ti = self.rng.choice(refs)
            name = self.case.args[gi][ti][1:]
            self.case.stdin = self.case.files[name]
            self.case.args[gi][ti] = "-"
            if self.maybe(0.15) and len(refs) > 1:  # stdin named twice: read once, or refused
                gi2, ti2 = self.rng.choice([r for r in refs if r != (gi, ti)])
                self.case.args[gi2][ti2] = "-"
                self.case.notes.append("'-' given twice")
            if not any(t == f"@{name}" for g in self.case.args for t in g):
                del self.case.files[name]
            self.case.notes.append(f"{name} on stdin")
            return
        mains = [ti for ti, tok in enumerate(self.case.args[0])
                 if tok in ("@monitors.yaml", "@raw.yaml", "@source.yaml", "@old.yaml", "@new.yaml")]
        if mains and self.maybe(0.12) and not any(g == ["--in-place"] for g in self.case.args):
            ti = self.rng.choice(mains)
            name = self.case.args[0][ti][1:]
            stem = name.split(".")[0]
            text = self.case.files.pop(name)
            for i, part in enumerate(text.split(b"\n---\n")):
                self.case.files[f"{stem}.d/{i}.yaml" if i % 3 else f"{stem}.d/sub/{i}.yml"] = part
            junk = self.rng.sample([("junk.bin", bytes(range(256))), ("empty.yaml", b""), ("notes.txt", b"{,"),
                                    ("README.md", b"# not yaml: [\n"), ("x.yaml~", b"kind: [")], 2)
            if self.maybe(0.2):  # a broken file among the YAML ones: named, exit 2
                junk.append(self.rng.choice([("bad.json", b"{,"), (".hidden.yaml", b"kind: [")]))
            for jname, data in junk:
                self.case.files[f"{stem}.d/{jname}"] = data
            if self.maybe(0.5):
                self.case.symlinks[f"{stem}.d/loop"] = "."
            if self.maybe(0.3):
                self.case.symlinks[f"{stem}.d/dangling.yaml"] = "nowhere.yaml"
            self.case.args[0][ti] = f"@{stem}.d"
            self.case.notes.append(f"{name} as directory {stem}.d/ with junk")

    def why(self) -> None:
        monitors = self.maybe(0.6)
        src = self.monitors() if monitors else self.raw()
        self.case.args.append(["why", f"@{src}"])
        if self.maybe(0.3):
            names = (corpus.monitor_job_names(self.monitor_docs) if monitors else corpus.job_names(self.raw_docs))
            pick = self.rng.choice(names + ["nope", "PodMonitor/x/y", "", "a/b/c/d"]) if names else "nope"
            parts = pick.split("/")
            self.case.args[0].insert(1, parts[2] if monitors and len(parts) == 4 else pick)
        if self.maybe(0.95):
            self.inventory_or_cluster()
        if monitors and self.maybe(0.4):
            self.opt("--prometheus", f"@{self.prometheus()}")
        if self.maybe(0.3):
            self.opt("--output", self.rng.choice(["json", "markdown"]))
        if self.maybe(0.1):
            self.opt("--own-namespace", self.rng.choice(["default", "", "a/b"]))
        if self.maybe(0.2):
            self.output_file("-o", "why.out")

    def lint(self) -> None:
        inputs = []
        if self.maybe(0.7):
            inputs.append(f"@{self.monitors()}")
        if self.maybe(0.6) or not inputs:
            inputs.append(f"@{self.raw()}")
        self.case.args.append(["lint", *inputs])
        self.opt("--no-config", droppable=False)  # (a .migrator.yaml of the machine running the suite is not read)
        if self.maybe(0.5):
            self.inventory_or_cluster()
        if self.maybe(0.3):
            self.opt("--prometheus", f"@{self.prometheus()}")
        if self.maybe(0.4):
            self.opt("--output", self.rng.choice(["json", "markdown", "sarif", "github"]))
        if self.maybe(0.2):
            self.opt("--fail-on", self.rng.choice(["bug", "warning", "info", "nope"]))
        if self.maybe(0.1):
            self.opt("--disable", self.rng.choice(["job/honor-labels", "nope", ""]))
        if self.maybe(0.05):
            self.opt("--explain", self.rng.choice(["job/honor-labels", "nope"]))
        if self.maybe(0.2):
            self.output_file("-o", "lint.out")

    def generate(self) -> None:
        self.case.args.append(["generate", "istio"])
        r = self.rng
        if self.maybe(0.3):
            self.opt("--namespace", r.choice(["monitoring", "", "UPPER", "a" * 300, "-x"]))
        if self.maybe(0.3):
            self.opt("--release", r.choice(["prom", "", "a b", "x" * 100]))
        if self.maybe(0.2):
            self.opt("--label", r.choice(["team=a", "=", "nokey", "a=b=c", "x/y=z", "k=" + "v" * 100]))
        if self.maybe(0.2):
            self.opt("--istio-namespace", r.choice(["istio-system", "", "A_B"]))
        if self.maybe(0.4):
            self.opt("--interval", r.choice(["15s", "0s", "", "abc", "1e400s", "-1s", "1y2y", "9" * 30 + "h", "5m30s"]))
        if self.maybe(0.3):
            self.opt("--only", r.choice(["sidecars", "istiod,gateways", "", ",", "nope", "sidecars,sidecars"]))
        if self.maybe(0.2):
            self.opt("--no-egress")
        if self.maybe(0.2):
            self.opt("--with-mesh-config")
        if self.maybe(0.6):
            self.opt("--format", r.choice(["monitors", "list", "prometheus-yml", "secret", "helm-values"]))
        if self.maybe(0.3):
            self.opt("--prometheus", f"@{self.prometheus()}")
        if self.maybe(0.2):
            self.opt("--prometheus-version", r.choice(VERSIONS))
        if self.maybe(0.3):
            self.output_file("-o", "generated.yaml")


def make_case(seed: int, index: int, *, command: str | None = None, mutation: str | None = None) -> Case:
    """The case `index` of the run seeded `seed` (the same pair always gives the same case)."""
    b = _Builder(seed, index, wrong_types=mutation != "none")  # "none": valid inputs, secrets planted
    cmd = command or b.rng.choices([c for c, _ in COMMANDS], [w for _, w in COMMANDS])[0]
    b.case.command = cmd
    getattr(b, cmd)()
    b.mutate(mutation)
    if any(g == ["--force"] for g in b.case.args):  # --force applies to every destination
        b.case.files.update({k: v for k, v in b.case.existing.items() if k != "victim"})
        b.case.existing = {k: v for k, v in b.case.existing.items() if k == "victim"}
    return b.case
