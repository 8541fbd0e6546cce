"""What Prometheus does around target relabeling (semantics.md 1.8; scrape/target.go).

* ``job_defaults(job)``: the labels a scrape config contributes before relabeling
  (``job``, ``__scrape_interval__``, ``__scrape_timeout__``, ``__metrics_path__``,
  ``__scheme__``, ``__param_*``; 3.13+ also the three histogram booleans).
* ``populate_target(discovered, job)``: the whole PopulateLabels path, returning a
  ``TargetResult`` (final labels, or why there are none);
  ``populate_labels`` is its ``(labels | None, reason)`` form.

Pure: plain data in and out.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from itertools import compress
from typing import Any, Iterable, Optional

from migrator.errors import ConfigError
from migrator.relabel.engine import Step, compiled, read_only_prefix, relabel_from, relabel_trace
from migrator.relabel.duration import NEW_PARSER_SINCE, format_duration, parse_duration
from migrator.relabel.duration import parse_duration_cached as _parse_duration_cached
from migrator.relabel.rules import Rule, _go_quote, is_valid_utf8, parse_rules, resolve_version
from migrator.version import Version

GLOBAL_SCRAPE_INTERVAL_MS = 60_000
GLOBAL_SCRAPE_TIMEOUT_MS = 10_000

def _duration_field(raw: Any, name: str, version: Version) -> int:
    if raw is None:
        return 0
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise ConfigError(f"cannot unmarshal {raw!r} into model.Duration", field=name)
    try:
        return parse_duration(str(raw), version=version)
    except ValueError as exc:
        raise ConfigError(str(exc), field=name) from None


def scrape_interval_timeout(job: dict, *, version: Version | str | None = None,
                            global_config: Optional[dict] = None) -> tuple[int, int]:
    """The job's effective (interval, timeout) in ms, as config loading settles them."""
    v = resolve_version(version)
    g = global_config or {}
    g_int = _duration_field(g.get("scrape_interval"), "global.scrape_interval", v) or GLOBAL_SCRAPE_INTERVAL_MS
    g_to = _duration_field(g.get("scrape_timeout"), "global.scrape_timeout", v)
    if g_to > g_int:
        raise ConfigError("global scrape timeout greater than scrape interval")
    if g_to == 0:
        g_to = g_int if GLOBAL_SCRAPE_TIMEOUT_MS > g_int else GLOBAL_SCRAPE_TIMEOUT_MS
    interval = _duration_field(job.get("scrape_interval"), "scrape_interval", v) or g_int
    timeout = _duration_field(job.get("scrape_timeout"), "scrape_timeout", v)
    if timeout > interval:
        raise ConfigError("scrape timeout greater than scrape interval for scrape config with job name "
                          + _go_quote(str(job.get("job_name", ""))))
    if timeout == 0:
        timeout = interval if g_to > interval else g_to
    return interval, timeout


def _str_field(job: dict, key: str, default: str) -> str:
    if key not in job:
        return default
    val = job[key]
    if val is None:
        return ""
    if isinstance(val, bool):
        return "true" if val else "false"
    return str(val)


def job_defaults(job: dict, *, version: Version | str | None = None,
                 global_config: Optional[dict] = None) -> dict[str, str]:
    """The labels a scrape config adds to every discovered target before relabeling.

    Keys: job, __scrape_interval__, __scrape_timeout__, __metrics_path__, __scheme__ (and from
    3.13 the three histogram booleans), then one ``__param_<k>`` per ``params`` entry (its first
    value). Empty values are kept here (they mean "delete" when applied).
    """
    v = resolve_version(version)
    interval, timeout = scrape_interval_timeout(job, version=v, global_config=global_config)
    out = {
        "job": _str_field(job, "job_name", ""),
        "__scrape_interval__": format_duration(interval),
        "__scrape_timeout__": format_duration(timeout),
        "__metrics_path__": _str_field(job, "metrics_path", "/metrics"),
        "__scheme__": _str_field(job, "scheme", "http"),
    }
    if v.at_least("3.13.0"):
        out.update(_histogram_defaults(job, global_config or {}))
    params = job.get("params") or {}
    if isinstance(params, dict):
        for k, vals in params.items():
            if isinstance(vals, list) and vals:
                first = vals[0]
                out["__param_" + str(k)] = "" if first is None else str(first)
    return out


def _bool(v: Any) -> Optional[bool]:
    return v if isinstance(v, bool) else None


def _histogram_defaults(job: dict, g: dict) -> dict[str, str]:
    """3.13+: __convert_classic_histograms_to_nhcb__, __always_scrape_classic_histograms__,
    __scrape_native_histograms__ (scrape config value, else global, else false)."""
    def pick(key: str) -> bool:
        for src in (job, g):
            b = _bool(src.get(key))
            if b is not None:
                return b
        return False
    return {
        "__convert_classic_histograms_to_nhcb__": "true" if pick("convert_classic_histograms_to_nhcb") else "false",
        "__always_scrape_classic_histograms__": "true" if pick("always_scrape_classic_histograms") else "false",
        "__scrape_native_histograms__": "true" if pick("scrape_native_histograms") else "false",
    }


# ---------------------------------------------------------------------------------------------


@dataclass
class TargetResult:
    """The outcome for one discovered target."""

    labels: Optional[dict[str, str]]          # final labels (incl. __ labels other than __meta_*)
    discovered: dict[str, str]                # the pre-relabel label set
    dropped_by: Optional[int] = None          # index of the rule that dropped it
    error: Optional[str] = None               # Prometheus's error, when the target is refused
    steps: list[Step] = field(default_factory=list)

    @property
    def kept(self) -> bool:
        return self.labels is not None

    dropped_action: Optional[str] = None       # action of the dropping rule

    @property
    def reason(self) -> Optional[str]:
        if self.labels is not None:
            return None
        if self.dropped_by is not None:
            what = f" ({self.dropped_action})" if self.dropped_action else ""
            return f"dropped by relabel rule #{self.dropped_by}{what}"
        return self.error

    def public_labels(self) -> Optional[dict[str, str]]:
        """The labels that end up on scraped series: those not starting with "__"."""
        if self.labels is None:
            return None
        return {k: v for k, v in self.labels.items() if not k.startswith("__")}


_HIST_LABELS = (("__convert_classic_histograms_to_nhcb__", "convert classic histograms to nhcb"),
                ("__always_scrape_classic_histograms__", "always scrape classic histograms"),
                ("__scrape_native_histograms__", "scrape native histograms"))


def _go_parse_bool(s: str) -> bool:
    if s in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if s in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    raise ValueError(f'strconv.ParseBool: parsing {_go_quote(s)}: invalid syntax')


def _split_host_port_ok(addr: str) -> tuple[bool, str, str]:
    """Go net.SplitHostPort: (ok, host, port)."""
    i = addr.rfind(":")
    if i < 0:
        return False, "", ""
    if addr.startswith("["):
        end = addr.find("]")
        if end < 0:
            return False, "", ""
        if end + 1 == len(addr):
            return False, "", ""
        if end + 1 != i:
            return False, "", ""
        host = addr[1:end]
        if "[" in addr[1:] or "]" in addr[end + 1:]:
            return False, "", ""
    else:
        host = addr[:i]
        if ":" in host:
            return False, "", ""
        if "[" in addr or "]" in addr:
            return False, "", ""
    return True, host, addr[i + 1:]


def pre_relabel_labels(discovered: dict, job: dict, *, version: Version | str | None = None,
                       global_config: Optional[dict] = None,
                       group_labels: Optional[dict] = None,
                       defaults: Optional[dict] = None) -> dict[str, str]:
    """The label set relabeling starts from: target labels over group labels, then the job's
    defaults for missing/empty names, then ``__param_*`` (2.x overwrites, 3.x only fills in).
    ``defaults`` may pass a precomputed ``job_defaults(job)``."""
    v = resolve_version(version)
    if defaults is None:
        defaults = job_defaults(job, version=v, global_config=global_config)
    return _pre_relabel(discovered, group_labels, _plan(defaults, v.major >= 3))


def _plan(defaults: dict, v3: bool) -> tuple:
    """The job defaults as steps on a label set holding no empty value, in defaults order:
    (name, value, 0) sets a missing name, (name, value, 1) sets it, (name, None, 2) deletes it.
    Steps that cannot change such a set (an empty value filling in) are left out.
    Returned as (leading run of 0-steps as a dict, the 0-steps as a tuple, the other steps)."""
    steps = []
    for k, val in defaults.items():
        if k.startswith("__param_") and not v3:
            steps.append((k, None, 2) if val == "" else (k, val, 1))
        elif val != "":
            steps.append((k, val, 0))
    n = 0
    while n < len(steps) and steps[n][2] == 0:
        n += 1
    return {k: val for k, val, _ in steps[:n]}, tuple(steps[:n]), tuple(steps[n:])


def _apply_plan(lset: dict, plan: tuple) -> None:
    fill, fill_steps, rest = plan
    if lset.keys().isdisjoint(fill):
        lset.update(fill)  # every name missing: set in order, as the steps would
    else:
        rest = fill_steps + rest
    for k, val, mode in rest:
        if mode == 0:
            if k not in lset:
                lset[k] = val
        elif mode == 1:
            lset[k] = val
        else:
            lset.pop(k, None)


def _all_str(d: dict) -> bool:
    """Every name and value a str (str.join refuses anything else, None included)."""
    try:
        "".join(d)
        "".join(d.values())
    except TypeError:
        return False
    return True


def _group_check(group_labels: Optional[dict]) -> tuple[bool, bool]:
    """(group labels all str, some group value empty)."""
    if not group_labels:
        return True, False
    if not _all_str(group_labels):
        return False, True
    return True, "" in group_labels.values()


def _pre_relabel(discovered: dict, group_labels: Optional[dict], plan: tuple,
                 group: Optional[tuple[bool, bool]] = None) -> dict[str, str]:
    """pre_relabel_labels with the defaults as a ``_plan``. group: ``_group_check(group_labels)``
    if at hand."""
    group_ok, group_empty = _group_check(group_labels) if group is None else group
    if group_ok and _all_str(discovered):
        # Fast path (as discovery produces label sets): C-level merges, with the key order of
        # the general loop below (the target's own names first, then the group's others: the
        # order Prometheus 2.43+ sets them in, which labelmap follows); a target's own value wins;
        # the set never holds an empty value.
        if group_labels:
            lset = {**discovered, **group_labels}
            if len(lset) != len(discovered) + len(group_labels):  # a name in both: the target's value
                lset.update(discovered)
        else:
            lset = dict(discovered)
        if (group_empty or "" in discovered.values()) and "" in lset.values():
            lset = {k: val for k, val in lset.items() if val != ""}
    else:
        base: dict[str, str] = {}
        for k, val in discovered.items():
            base[str(k)] = "" if val is None else str(val)
        if group_labels:
            for k, val in group_labels.items():
                base.setdefault(str(k), "" if val is None else str(val))
        lset = {k: val for k, val in base.items() if val != ""}
    _apply_plan(lset, plan)
    return lset


def populate_target(discovered: dict, job: dict, *, version: Version | str | None = None,
                    rules: Optional[Iterable[Rule]] = None, global_config: Optional[dict] = None,
                    group_labels: Optional[dict] = None,
                    no_default_port: bool = False, trace: bool = False,
                    defaults: Optional[dict] = None) -> TargetResult:
    """Prometheus PopulateLabels for one discovered target of a scrape config.

    ``discovered`` are the target's own labels, ``group_labels`` its target group's common
    labels (target labels win). ``rules`` default to the job's parsed ``relabel_configs``.
    ``no_default_port`` is the 2.x feature flag of that name. ``trace`` records every rule's
    effect in ``steps``; ``defaults`` may pass a precomputed ``job_defaults(job)`` (see
    ``populate_targets`` for many targets of one job).
    """
    v = resolve_version(version)
    if rules is None:
        rules = parse_rules(job.get("relabel_configs"), version=v,
                            scheme=job.get("metric_name_validation_scheme") or None)
    if defaults is None:
        defaults = job_defaults(job, version=v, global_config=global_config)
    pre = _pre_relabel(discovered, group_labels, _plan(defaults, v.major >= 3))
    rules = rules if isinstance(rules, list) else list(rules)
    return _populate(pre, job, _Ctx(v), rules, None, no_default_port, trace)


class _Ctx:
    """Per-version facts populate_target needs for every target."""

    __slots__ = ("v", "v2", "old_duration", "histograms")

    def __init__(self, v: Version):
        self.v = v
        self.v2 = v.major < 3
        self.old_duration = v < NEW_PARSER_SINCE
        self.histograms = v._key() >= (3, 13, 0)


_keep_name: dict[str, bool] = {}    # label name -> not a __meta_* name


def _drop_meta(lset: dict) -> dict:
    """lset without its __meta_* labels (same order; lset itself when it has none)."""
    known = _keep_name
    if not lset.keys() <= known.keys():
        if len(known) > 200_000:
            known.clear()
        for n in lset:
            if n not in known:
                known[n] = not n.startswith("__meta_")
    keep = list(map(known.__getitem__, lset))
    if all(keep):
        return lset
    return dict(compress(lset.items(), keep))


def _populate(pre: dict, job: dict, ctx: _Ctx, rules: list, fns: Optional[tuple],
              no_default_port: bool, trace: bool) -> TargetResult:
    """populate_target after the pre-relabel label set (pre, left intact: it is output)."""
    steps: list[Step] = []
    if trace:
        lset, dropped_by, steps = relabel_trace(pre, rules)
    else:
        # pre holds no empty value: a plain copy is what relabel_index would start from.
        lset, dropped_by = relabel_from(pre, rules, *(fns or (None, None)))
    if lset is None:
        return TargetResult(None, pre, dropped_by=dropped_by, steps=steps,
                            dropped_action=rules[dropped_by].action if dropped_by is not None else None)

    def err(msg: str) -> TargetResult:
        return TargetResult(None, pre, error=msg, steps=steps)

    addr = lset.get("__address__", "")
    if addr == "":
        return err("no address")
    if ctx.v2:
        ok, host, port = _split_host_port_ok(addr)
        add = not ok and _split_host_port_ok(addr + ":1234")[0]
        scheme = lset.get("__scheme__", "")
        if not no_default_port and add:
            if scheme in ("http", ""):
                addr = addr + ":80"
            elif scheme == "https":
                addr = addr + ":443"
            else:
                return err(f"invalid scheme: {_go_quote(_str_field(job, 'scheme', 'http'))}")
            lset["__address__"] = addr
        if no_default_port:
            if (port == "80" and scheme == "http") or (port == "443" and scheme == "https"):
                if host:
                    lset["__address__"] = host
                else:
                    lset.pop("__address__", None)
    if "/" in addr:
        return err(f"{_go_quote(addr)} is not a valid hostname")
    interval = lset.get("__scrape_interval__", "")
    try:
        ims = _parse_duration_cached(interval, ctx.old_duration)
    except ValueError as exc:
        return err(f"error parsing scrape interval: {exc}")
    if ims == 0:
        return err("scrape interval cannot be 0")
    timeout = lset.get("__scrape_timeout__", "")
    try:
        tms = _parse_duration_cached(timeout, ctx.old_duration)
    except ValueError as exc:
        return err(f"error parsing scrape timeout: {exc}")
    if tms == 0:
        return err("scrape timeout cannot be 0")
    if tms > ims:
        return err(f"scrape timeout cannot be greater than scrape interval "
                   f"({_go_quote(timeout)} > {_go_quote(interval)})")
    if ctx.histograms:
        for name, desc in _HIST_LABELS:
            val = lset.get(name, "")
            if val != "":
                try:
                    _go_parse_bool(val)
                except ValueError as exc:
                    return err(f"error parsing {desc}: {exc}")
    lset = _drop_meta(lset)
    if lset.get("instance", "") == "":
        lset["instance"] = addr
    if not is_valid_utf8("".join(lset.values())):  # a lone surrogate stays one when joined
        for name in sorted(lset):
            if not is_valid_utf8(lset[name]):
                return err(f"invalid label value for {_go_quote(name)}: {_go_quote(lset[name])}")
    return TargetResult(lset, pre, steps=steps)


def populate_targets(targets: Iterable[dict], job: dict, *, version: Version | str | None = None,
                     rules: Optional[Iterable[Rule]] = None, global_config: Optional[dict] = None,
                     group_labels: Optional[dict] = None, trace: bool = False) -> list[TargetResult]:
    """populate_target for many discovered targets of one job (rules and defaults computed once)."""
    v = resolve_version(version)
    if rules is None:
        rules = parse_rules(job.get("relabel_configs"), version=v,
                            scheme=job.get("metric_name_validation_scheme") or None)
    rules = rules if type(rules) is list else list(rules)  # only read from here on
    ctx, plan = _job_setup(job, v, global_config)
    fns = None if trace else _compiled_for(rules)
    group = _group_check(group_labels)
    return [_populate(_pre_relabel(t, group_labels, plan, group), job, ctx, rules, fns, False, trace)
            for t in targets]


_JOB_KEYS = ("job_name", "scrape_interval", "scrape_timeout", "metrics_path", "scheme", "params",
             "convert_classic_histograms_to_nhcb", "always_scrape_classic_histograms", "scrape_native_histograms")
_GLOBAL_KEYS = ("scrape_interval", "scrape_timeout", "convert_classic_histograms_to_nhcb",
                "always_scrape_classic_histograms", "scrape_native_histograms")
_MISSING = object()
_JOB_MISSING = (_MISSING,) * len(_JOB_KEYS)
_GLOBAL_MISSING = (_MISSING,) * len(_GLOBAL_KEYS)
_SCALARS = (str, int, float, bool, type(None))
_fns_cache: dict[int, tuple] = {}


def _compiled_for(rules: list) -> tuple[list, int]:
    """(engine.compiled(rules), engine.read_only_prefix(rules)), memoised while the list holds
    the very same Rule objects."""
    hit = _fns_cache.get(id(rules))
    if hit is not None and hit[0] is rules and len(hit[1]) == len(rules) and all(map(operator.is_, rules, hit[1])):
        return hit[2]
    fns = (compiled(rules), read_only_prefix(rules))
    if len(_fns_cache) >= 256:
        _fns_cache.clear()
    _fns_cache[id(rules)] = (rules, tuple(rules), fns)
    return fns


_setup_cache: dict[tuple, tuple] = {}


def _job_setup(job: dict, v: Version, global_config: Optional[dict]) -> tuple[_Ctx, tuple]:
    """(_Ctx(v), _plan(job_defaults(job))), memoised so that a caller calling populate_targets
    once per target group does not recompute them. An entry is reused for the same job and
    global config objects whose fields job_defaults reads are the very same (immutable)
    objects; ``params`` (a mapping) is compared by its repr."""
    if not isinstance(job, dict) or not (global_config is None or isinstance(global_config, dict)):
        return _Ctx(v), _plan(job_defaults(job, version=v, global_config=global_config), v.major >= 3)
    g = global_config or {}
    vals = list(map(job.get, _JOB_KEYS, _JOB_MISSING))
    gvals = list(map(g.get, _GLOBAL_KEYS, _GLOBAL_MISSING))
    params = vals[5]
    params_repr = None if params is _MISSING or params is None else repr(params)
    key = (id(job), id(global_config), v._key())
    hit = _setup_cache.get(key)
    if hit is not None and hit[0] is job and hit[1] is global_config and hit[4] == params_repr \
            and all(map(operator.is_, vals, hit[2])) and all(map(operator.is_, gvals, hit[3])):
        return hit[5]
    out = (_Ctx(v), _plan(job_defaults(job, version=v, global_config=global_config), v.major >= 3))
    vals[5] = None
    if all(x is _MISSING or isinstance(x, _SCALARS) for x in vals + gvals):
        vals[5] = params
        if len(_setup_cache) >= 256:
            _setup_cache.clear()
        _setup_cache[key] = (job, global_config, vals, gvals, params_repr, out)
    return out


def populate_labels(discovered: dict, job: dict, *, version: Version | str | None = None,
                    rules: Optional[Iterable[Rule]] = None, global_config: Optional[dict] = None,
                    group_labels: Optional[dict] = None
                    ) -> tuple[Optional[dict[str, str]], Optional[str]]:
    """(final labels | None, reason): reason is None when kept, "dropped by relabel rule #i
    (action)" when a rule dropped the target, or Prometheus's error ("no address", ...)."""
    r = populate_target(discovered, job, version=version, rules=rules, global_config=global_config,
                        group_labels=group_labels)
    return r.labels, r.reason


def scrape_url(labels: dict[str, str], job: dict) -> str:
    """The URL Prometheus scrapes for a kept target (defined once, in migrator.identity)."""
    from migrator.identity import scrape_url as _scrape_url

    return _scrape_url(labels, job.get("params") if isinstance(job, dict) else None)
