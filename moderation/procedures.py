"""Moderation's procedures: a reader reports a post or a comment."""

from api.registry import AUTHENTICATED, MUTATION, Data, SignedInContext, procedure
from moderation import selectors, services
from moderation.models import Report
from moderation.serializers import ReportCreateInput, ReportOutput


@procedure(
    "report.create",
    kind=MUTATION,
    input=ReportCreateInput,
    output=ReportOutput,
    access=AUTHENTICATED,
)
def report_create(ctx: SignedInContext, data: Data) -> Report:
    """Flag a published post or a live comment for the moderators: one open report per item,
    never one's own (FORBIDDEN), a second one is CONFLICT, too many TOO_MANY_REQUESTS."""
    if data["comment_id"] is not None:
        comment = selectors.reportable_comment(comment_id=data["comment_id"])
        post = comment.post
    else:
        comment, post = None, selectors.reportable_post(post_id=data["post_id"])
    return services.create_report(
        reporter=ctx.user,
        post=post,
        comment=comment,
        reason=data["reason"],
        details=data["details"],
    )
