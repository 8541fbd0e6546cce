"""A structure-aware fuzzer for the migrator CLI (issue 8, section 6).

Inputs are the samples, the test fixtures and, when present, ../shared's oracle
cases. Every case plants unique secret markers in each credential field,
mutates one or more inputs (wrong types, impossible YAML tags, deep nesting,
huge values, alias bombs, truncation, random bytes, duplicated keys) and runs
one command in-process (render, validate, targets, migrate, diff, why, lint,
generate istio; inventories from files, stdin, or a fake API server for
--cluster and diff --from-cluster). A case fails when the CLI raises, exits
with a status other than 0/1/2 (3 is migrator's "internal error"), prints a
traceback, takes longer than the timeout or its memory ceiling, shows a
planted secret (plain or base64) anywhere it was not asked to write secrets,
modifies an existing output without --force or writes through a planted
link, leaves a temporary file behind, writes a backup that is not the old
content, or writes JSON/YAML that does not parse.

Modules: corpus (the base inputs), secrets (planting markers), mutate (the
mutations), cases (a case from (seed, index)), runner (running and checking a
case), minimize (shrinking a failing case to a reproducer).
"""
