"""The follow form; the service checks the address and the choice again."""

from django import forms

from accounts.forms import ServiceForm
from follows.models import Cadence


class FollowForm(ServiceForm):
    email = forms.CharField(
        label="Your email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    cadence = forms.ChoiceField(
        label="How often",
        choices=Cadence.choices,
        initial=Cadence.POST,
        widget=forms.RadioSelect,
    )
