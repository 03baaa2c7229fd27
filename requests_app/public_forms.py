"""The public request form's fields (the page is drawn by ``public_views``; the rules are
``public_form.submission_check``'s: this form only collects)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import deadlines as dl
from .identity_documents import allowed_type_names
from .models import Relationship, RequestType
from .public_form import RELATIONSHIPS, jurisdiction_options

US_JURISDICTIONS = frozenset((*dl.US_RESIDENT_JURISDICTIONS, dl.US_CA))


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); the list may be empty."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean_one = super().clean
        if isinstance(data, (list, tuple)):
            return [clean_one(item, initial) for item in data if item]
        return [clean_one(data, initial)] if data else []


class PublicRequestForm(forms.Form):
    requester_name = forms.CharField(label=gettext_lazy("Your name"), max_length=200)
    requester_email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"), max_length=254,
        help_text=gettext_lazy("We send a link to this address; your request is registered when you open it."),
    )
    jurisdiction = forms.ChoiceField(label=gettext_lazy("Where you live"))
    request_type = forms.ChoiceField(label=gettext_lazy("What you ask for"))
    relationship = forms.ChoiceField(
        label=gettext_lazy("Who is making the request"), widget=forms.RadioSelect, initial=Relationship.SELF,
    )
    data_subject_name = forms.CharField(
        label=gettext_lazy("Name of the person you act for (or of the deceased user)"), max_length=200,
        required=False,
    )
    authority_files = MultipleFileField(label=gettext_lazy("Proof that you may act for them"), required=False)
    account_id = forms.CharField(
        label=gettext_lazy("Aqara account (optional)"), max_length=100, required=False,
        help_text=gettext_lazy("The e-mail address, phone number or user id of the Aqara account concerned."),
    )
    description = forms.CharField(
        label=gettext_lazy("Your request in your own words (optional)"), required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    identity_files = MultipleFileField(label=gettext_lazy("Proof of identity (optional)"), required=False)
    # Filled by the page's script with the browser's time zone (the receipt date is the earlier of
    # the requester's and the office's); without the script it stays empty.
    time_zone = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        options = jurisdiction_options()
        # The registry's order (the states alphabetical by their English names) in both languages.
        others = [(code, name) for code, name, _types in options if code not in US_JURISDICTIONS]
        states = [(code, name) for code, name, _types in options if code in US_JURISDICTIONS]
        self.fields["jurisdiction"].choices = [
            ("", _("Choose…")), *others, (_("United States"), states),
        ]
        self.types_by_jurisdiction = {code: list(types) for code, _name, types in options}
        offered = {t for _code, _name, types in options for t in types}
        self.fields["request_type"].choices = [
            ("", _("Choose…")), *[(value, label) for value, label in RequestType.choices if value in offered],
        ]
        self.fields["relationship"].choices = [
            (value, label) for value, label in Relationship.choices if value in RELATIONSHIPS
        ]
        help_text = _("%(types)s; each at most %(limit)s; at most %(count)d files in all.") % {
            "types": allowed_type_names(), "limit": filesizeformat(settings.IDENTITY_DOCUMENT_MAX_BYTES),
            "count": settings.PUBLIC_FORM_MAX_FILES,
        }
        self.fields["identity_files"].help_text = help_text
        self.fields["authority_files"].help_text = " ".join([
            _("Required when you act for someone else: a signed authorisation or power of attorney, a "
              "guardianship document, or the death certificate and proof of your relationship."),
            help_text,
        ])
        accept = ",".join(settings.IDENTITY_DOCUMENT_TYPES)
        for name in ("identity_files", "authority_files"):
            self.fields[name].widget.attrs["accept"] = accept

    def submission_values(self) -> dict:
        """The cleaned values as ``public_form.submission_create`` takes them."""
        data = self.cleaned_data
        return {
            "requester_name": data["requester_name"], "requester_email": data["requester_email"],
            "jurisdiction": data["jurisdiction"], "request_type": data["request_type"],
            "relationship": data["relationship"], "data_subject_name": data["data_subject_name"],
            "account_id": data["account_id"], "description": data["description"],
            "requester_time_zone": data["time_zone"], "identity_files": data["identity_files"],
            "authority_files": data["authority_files"],
        }
