"""``/metrics``: this process's Prometheus figures, for the scrapers the settings allow.

Off (METRICS_ENABLED false), it is a 404 like any unknown page. On, a client outside
METRICS_ALLOWED_NETWORKS gets 403; with METRICS_TOKEN set, a request without
``Authorization: Bearer …`` gets 401 and one with another token 403. The channel layers'
per-process totals (``realtime.layers``) are read here at scrape time.
"""

import hmac
import ipaddress
from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from lib.client_address import client_ip
from realtime.layers import CleanupStats, OverflowStats


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if not settings.METRICS_ENABLED:
        raise Http404
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(REGISTRY), content_type=content_type)


def _refusal(request: HttpRequest) -> HttpResponse | None:
    """The answer to a scraper the settings do not allow; None for one they do."""
    if settings.METRICS_ALLOWED_NETWORKS and not _is_allowed_address(client_ip(request)):
        return HttpResponse("Metrics are not served to this network.\n", status=403)
    if settings.METRICS_TOKEN:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            response = HttpResponse("Metrics need a bearer token.\n", status=401)
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        if not hmac.compare_digest(token.strip().encode(), settings.METRICS_TOKEN.encode()):
            return HttpResponse("This token does not open the metrics.\n", status=403)
    return None


def _is_allowed_address(address: str) -> bool:
    try:
        client = ipaddress.ip_address(address)
    except ValueError:  # no address, or a proxy's odd value: never allowed
        return False
    if isinstance(client, ipaddress.IPv6Address) and client.ipv4_mapped is not None:
        client = client.ipv4_mapped  # a dual-stack socket's IPv4 peer
    return any(
        client in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_NETWORKS
    )


class ChannelLayerCollector(Collector):
    """The channel layers' overflow and clean-up totals of this process."""

    def collect(self) -> Iterator[Metric]:
        yield CounterMetricFamily(
            "inkwell_layer_overflows",
            "Consumers that fell a whole queue behind and were disconnected (code 1013).",
            value=OverflowStats.overflows,
        )
        yield CounterMetricFamily(
            "inkwell_layer_dropped_messages",
            "Messages dropped from the queues of consumers that fell behind.",
            value=OverflowStats.dropped,
        )
        yield CounterMetricFamily(
            "inkwell_layer_unsubscribe_failures",
            "Redis channels of closed consumers whose UNSUBSCRIBE failed twice (pub/sub layer).",
            value=CleanupStats.failed,
        )


REGISTRY.register(ChannelLayerCollector())
