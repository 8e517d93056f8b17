"""The container's HEALTHCHECK: exit 0 while this host's /healthz says "ok" or "degraded".

Run as ``python -m config.container_healthcheck``. "degraded" (Redis away, database answering)
is healthy: restarting the container would not bring Redis back, and the site still serves.
It asks with the first ALLOWED_HOSTS name, since Django refuses any other Host header.
"""

import json
import os
import sys
import urllib.request

HEALTHY = ("ok", "degraded")


def main() -> int:
    host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip() or "localhost"
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (fixed URL)
            status = json.load(response).get("status")
    except (OSError, ValueError):
        # 503 ("down") arrives as HTTPError, an OSError.
        return 1
    print(status)
    return 0 if status in HEALTHY else 1


if __name__ == "__main__":
    sys.exit(main())
