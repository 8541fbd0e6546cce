"""Running the migrator CLI in-process, as a user would call it."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from typer.testing import CliRunner

from migrator.cli import app


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: str | None = None) -> Run:
    result = CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


#: Test inputs several CLI test files share: a ServiceMonitor with basic auth from Secret app-auth, and that Secret.
SERVICE_MONITOR_WITH_AUTH = textwrap.dedent("""\
    apiVersion: monitoring.coreos.com/v1
    kind: ServiceMonitor
    metadata:
      name: app
      namespace: shop
    spec:
      selector:
        matchLabels:
          app: shop
      endpoints:
      - port: metrics
        basicAuth:
          username:
            name: app-auth
            key: user
          password:
            name: app-auth
            key: pass
    """)


SECRET = textwrap.dedent("""\
    apiVersion: v1
    kind: Secret
    metadata:
      name: app-auth
      namespace: shop
    stringData:
      user: scraper
      pass: s3cr3t-value
    """)
