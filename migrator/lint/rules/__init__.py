"""One module per lint rule: ``RULE`` (its id, severity, documentation and examples) and ``check(ctx)``."""

#: The rule modules, in the order rules are listed.
MODULES = (
    "monitor_invalid", "monitor_duplicate", "job_invalid", "monitor_release_label", "monitor_namespace", "monitor_no_port",
    "monitor_selector", "monitor_port", "monitor_endpoints", "monitor_job_label", "render_dropped",
    "relabel_present_without_regex", "relabel_never_matches", "relabel_drops_identity", "relabel_undone",
    "relabel_drops_all", "relabel_endpointslice_labels", "job_honor_labels", "job_placeholder",
    "targets_duplicate", "targets_identical",
)
