"""Render prometheus-operator monitors as raw Prometheus scrape_configs (operator-exact or portable)."""

from migrator.render.assets import AssetStore
from migrator.render.context import RenderContext
from migrator.render.monitors import (ConfigMapMount, RenderResult, RenderWarning, SecretMount,
                                      kubernetes_sd_config, render_monitors)
from migrator.render.selection import selected_by

__all__ = ["AssetStore", "ConfigMapMount", "RenderContext", "RenderResult", "RenderWarning", "SecretMount",
           "kubernetes_sd_config", "render_monitors", "selected_by"]
