"""The honeypot of the no-JavaScript forms: a field people never see (nor screen readers reach)
that form-filling bots fill. A submission that filled it is refused quietly and counted."""

import logging

from django.http import QueryDict

from lib import metrics

logger = logging.getLogger(__name__)

# The field's name, as templates/_honeypot.html writes it: a name bots like to fill.
HONEYPOT_FIELD = "website"


def is_caught(data: QueryDict) -> bool:
    """Whether the posted ``data`` filled the honeypot; each catch is counted
    (``inkwell_spam_refusals{check="honeypot"}``) and logged."""
    if not data.get(HONEYPOT_FIELD, "").strip():
        return False
    metrics.SPAM_REFUSALS.labels(check="honeypot").inc()
    logger.info("A form submission filled the honeypot; refused.")
    return True
