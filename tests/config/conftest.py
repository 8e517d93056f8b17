"""The production-like client of the configuration tests."""

import pytest


@pytest.fixture
def production_client(client, settings):
    """A client of the site with DEBUG off that answers server errors as pages, as a browser
    sees them, instead of raising them."""
    settings.DEBUG = False
    client.raise_request_exception = False
    return client
