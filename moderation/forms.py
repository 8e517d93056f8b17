"""The no-JavaScript report form; the service checks the rules again."""

from django import forms

from accounts.forms import ServiceForm
from moderation.models import REPORT_DETAILS_MAX_LENGTH, ReportReason


class ReportForm(ServiceForm):
    reason = forms.ChoiceField(
        choices=ReportReason.choices, widget=forms.RadioSelect, label="What is wrong with it?"
    )
    details = forms.CharField(
        max_length=REPORT_DETAILS_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything the moderators should know (optional)",
    )
