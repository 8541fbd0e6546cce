from migrator.lint.model import BUG, Rule

RULE = Rule(
    id="relabel/never-matches", severity=BUG,
    summary="a relabel regex that can match no value at all",
    explanation="""Prometheus anchors every relabel regex (`^(?:REGEX)$`), so an anchor in the middle of it, or
    text after a `$`, makes a regex that matches nothing: `regex: $1` (a replacement written where the regex
    belongs), `foo$bar`, `a^b`. A keep with it drops every target (or series), a drop or replace does nothing.
    The regex is read as Prometheus's Go RE2 reads it (the project's regex translation).""",
    fail="""\
scrape_configs:
- job_name: pods
  kubernetes_sd_configs: [{role: pod}]
  relabel_configs:
  - action: keep
    source_labels: [__meta_kubernetes_pod_label_app]
    regex: web$-canary
  - source_labels: [__meta_kubernetes_pod_name]
    target_label: pod
    regex: $1
""",
    ok="""\
scrape_configs:
- job_name: pods
  kubernetes_sd_configs: [{role: pod}]
  relabel_configs:
  - action: keep
    source_labels: [__meta_kubernetes_pod_label_app]
    regex: web-canary
  - source_labels: [__meta_kubernetes_pod_name]
    target_label: pod
""")

_USES_REGEX = {"replace", "keep", "drop", "labelmap", "labeldrop", "labelkeep"}


def _impossible(pattern: str) -> bool:
    """True when the RE2 regex, anchored as Prometheus anchors it, can match no string (a sound check of
    misplaced anchors only: False means "not shown impossible")."""
    from migrator.relabel.regex import translate_fast

    py = translate_fast(pattern)
    if py is None:
        return False
    try:
        import re._parser as sre_parse  # Python >= 3.11
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore[no-redef]
    import re._constants as C

    try:
        tree = sre_parse.parse(py, 0)
    except Exception:  # noqa: BLE001 - not provable
        return False

    def width(item) -> int:
        sub = sre_parse.SubPattern(tree.state, [item])
        return sub.getwidth()[0]

    def seq_impossible(items, before: int) -> tuple[bool, int]:
        """(impossible, min width consumed) for a sequence after `before` characters."""
        consumed = before
        ended = False
        for op, av in items:
            if op is C.AT and av in (C.AT_BEGINNING, C.AT_BEGINNING_STRING):
                if consumed > 0:
                    return True, consumed
                continue
            if op is C.AT and av in (C.AT_END, C.AT_END_STRING):
                ended = True
                continue
            if op is C.SUBPATTERN:
                bad, _ = seq_impossible(av[-1], consumed)
                if bad:
                    return True, consumed
            elif op is C.BRANCH:
                if all(seq_impossible(b, consumed)[0] for b in av[1]):
                    return True, consumed
            w = width((op, av))
            if ended and w > 0:
                return True, consumed
            consumed += w
        return False, consumed

    return seq_impossible(list(tree), 0)[0]


def check(ctx):
    from migrator.lint.rules._relabel import parsed

    for rl in ctx.rule_lists():
        for i, raw, rule in parsed(rl, ctx.version):
            if rule.action not in _USES_REGEX or "regex" not in raw:
                continue
            if _impossible(rule.regex.pattern):
                effect = {"keep": "drops every target" if rl.kind == "relabel" else "drops every series",
                          "labelkeep": "drops every label"}.get(rule.action, "does nothing")
                yield ctx.finding(RULE, rl.doc, rl.path + (i, "regex"),
                                  f"{rl.where(i)}: regex {rule.regex.pattern!r} can never match (Prometheus "
                                  f"anchors it as ^(?:...)$): this {rule.action} rule {effect}", rl.subject)
