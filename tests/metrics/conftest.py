"""Scraping /metrics as Prometheus would, and reading one sample out of the answer."""

from collections.abc import Callable

import pytest
from prometheus_client.parser import text_string_to_metric_families

TOKEN = "a-scrape-token-for-the-tests"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


class Scrape:
    """One /metrics answer, parsed: each sample by its name and labels."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.samples: Samples = {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }

    def value(self, name: str, **labels: str) -> float:
        """The sample's value; 0 when the process has not recorded it (yet)."""
        return self.samples.get((name, frozenset(labels.items())), 0.0)

    def label_values(self, name: str, label: str) -> set[str]:
        return {
            dict(labels)[label]
            for sample_name, labels in self.samples
            if sample_name == name and label in dict(labels)
        }


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_ENABLED = True
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []


@pytest.fixture
def scrape(metrics_on) -> Callable[[], Scrape]:
    """Scrape with the token, on a client of its own (it never signs the test's client out)."""
    from django.test import Client

    def read() -> Scrape:
        response = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200, response.content
        return Scrape(response.content.decode())

    return read
