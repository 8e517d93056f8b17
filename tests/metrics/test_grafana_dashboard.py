"""The shipped Grafana dashboard is valid JSON whose every query names a metric /metrics
serves."""

import json
import re
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "inkwell.json"
# The series each metric type exposes, by the name on its TYPE line (a counter's has _total).
SUFFIXES = {"histogram": ("_bucket", "_count", "_sum"), "counter": ("", "_total"), "gauge": ("",)}


def _queries(dashboard: dict) -> list[str]:
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def _served_series(text: str) -> set[str]:
    served = set()
    for name, kind in re.findall(r"^# TYPE (\S+) (\S+)$", text, re.MULTILINE):
        served.update(name + suffix for suffix in SUFFIXES.get(kind, ("",)))
    return served


def test_the_dashboard_is_grafana_json_with_unique_panels():
    dashboard = json.loads(DASHBOARD.read_text())

    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    assert dashboard["uid"] and dashboard["title"]
    graphs = [panel for panel in dashboard["panels"] if panel["type"] != "row"]
    assert len(graphs) >= 12
    assert all(
        panel["targets"] and panel["datasource"]["uid"] == "${datasource}" for panel in graphs
    )


def test_every_metric_the_dashboard_queries_is_served(scrape):
    queries = _queries(json.loads(DASHBOARD.read_text()))
    served = _served_series(scrape().text)

    named = {name for query in queries for name in re.findall(r"\b(?:inkwell|process)_\w+", query)}
    if connection.vendor != "postgresql":  # no pool to report
        named = {name for name in named if not name.startswith("inkwell_db_pool_")}

    assert named - served == set()
    for required in ("inkwell_procedure_duration_seconds_bucket", "inkwell_open_connections"):
        assert required in named
