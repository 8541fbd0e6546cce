from migrator.lint.model import WARNING, Rule

RULE = Rule(
    id="monitor/ignored-field", severity=WARNING,
    summary="a monitor field the operator ignores or drops for this Prometheus version (the render warnings)",
    explanation="""Some fields are accepted by the API server but do nothing: a field that needs a newer
    Prometheus than the CR runs (dropped by the operator), attach_metadata for a role that has none, a
    deprecated `targetPort`, several authentication methods at once. The monitor is applied, but not as written.
    These are the warnings `migrator render` prints, with the field they are about.""",
    fail="""\
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: web, namespace: monitoring, labels: {release: kube-prometheus-stack}}
spec:
  selector: {matchLabels: {app: web}}
  podMetricsEndpoints: [{targetPort: 8080}]
""",
    ok="""\
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: web, namespace: monitoring, labels: {release: kube-prometheus-stack}}
spec:
  selector: {matchLabels: {app: web}}
  podMetricsEndpoints: [{port: http}]
""")


def _path(fld):
    """'spec.endpoints[0].targetPort' -> ('spec', 'endpoints', 0, 'targetPort')."""
    import re

    out = []
    for part in (fld or "").split("."):
        m = re.fullmatch(r"([^\[]*)((?:\[\d+\])*)", part)
        if not m:
            return tuple(out)
        if m[1]:
            out.append(m[1])
        out += [int(i) for i in re.findall(r"\[(\d+)\]", m[2])]
    return tuple(out)


def check(ctx):
    for doc, result in ctx.rendered:
        for w in result.warnings:
            path = _path(w.field)
            if path and path[0] != "spec":
                path = ("spec",) + path
            yield ctx.finding(RULE, doc, path, f"{w.field + ': ' if w.field else ''}{w.message}",
                              ctx.subject_of(doc))
