"""The forms of the rights-request admin: they collect input; the services decide.

A rule a form shows beside its field (a receipt in the future, a type the jurisdiction does not
have, an identity document of the wrong type) is the service's own check, called here so the
refusal lands on the field in the user's language before anything is saved.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy_office.admin_base import CHANGE_REASON_MAX_LENGTH, AuditedModelForm, staff_login_initial

from .identity_documents import allowed_type_names, identity_document_check
from .models import DraftKind, IdentityMethod, RequestType, RightsRequest
from .services import assignable_users, dsar_check_details, normalise_email, normalise_phone


class RightsRequestForm(AuditedModelForm):
    extra_types = forms.TypedMultipleChoiceField(
        label=gettext_lazy("further request types"), choices=RequestType.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = RightsRequest
        fields = "__all__"

    def clean_requester_email(self):
        return normalise_email(self.cleaned_data.get("requester_email", ""))

    def clean_requester_phone(self):
        return normalise_phone(self.cleaned_data.get("requester_phone", ""))

    def clean(self):
        cleaned = super().clean()
        # A new case is checked whole; an edit only in what changed (the rest was checked before).
        names = self.changed_data if self.instance.pk else list(cleaned)
        changes = {name: cleaned[name] for name in names if name in cleaned and name != "services"}
        try:
            cleaned.update(dsar_check_details(case=self.instance, changes=changes))
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ExtendForm(forms.Form):
    reasons = forms.CharField(label=gettext_lazy("reasons"), widget=forms.Textarea(attrs={"rows": 4}))
    language = forms.ChoiceField(
        label=gettext_lazy("language of the notice"), choices=settings.LANGUAGES,
        help_text=gettext_lazy("The extension takes effect when this notice is marked sent, before the original "
                               "deadline."),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason for re-opening"), max_length=CHANGE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept in the timeline and the history with your name."),
    )


class RejectForm(forms.Form):
    reasons = forms.CharField(label=gettext_lazy("reasons for refusal"), widget=forms.Textarea(attrs={"rows": 4}))
    remedies = forms.CharField(
        label=gettext_lazy("remedies (complaint to the supervisory authority, judicial remedy)"),
        widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text=gettext_lazy("Leave empty to use the standard text for the jurisdiction."),
    )


class DuplicateForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("reference of the original case"), max_length=20)

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        case = RightsRequest.objects.filter(reference=reference).first()
        if case is None:
            raise ValidationError(_("No case has the reference %(reference)s.") % {"reference": reference})
        return case


class IdentityCheckForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("method"), choices=IdentityMethod.choices)
    data_points = forms.CharField(
        label=gettext_lazy("data points matched"), required=False,
        help_text=gettext_lazy("Comma-separated, e.g. email, phone, last order number."),
    )
    signed_declaration = forms.BooleanField(label=gettext_lazy("signed declaration under penalty of perjury"), required=False)
    authority_confirmed = forms.BooleanField(label=gettext_lazy("authority to act confirmed"), required=False)
    specific_pieces = forms.BooleanField(label=gettext_lazy("specific pieces of information requested (CCPA)"), required=False)
    corrected_fields = forms.CharField(
        label=gettext_lazy("data being corrected"), required=False,
        help_text=gettext_lazy("Comma-separated; these cannot be used to verify a correction request."),
    )
    verified = forms.TypedChoiceField(
        label=gettext_lazy("outcome"), coerce=lambda v: v == "1",
        choices=[("1", gettext_lazy("verified")), ("0", gettext_lazy("not verified"))],
    )
    proof_received_at = forms.SplitDateTimeField(
        label=gettext_lazy("proof received at"), required=False, widget=AdminSplitDateTime,
        help_text=gettext_lazy("When the proof of identity that was asked for arrived (UK: the clock starts that day, "
                               "not on this decision). Empty: the first identity document uploaded since it was "
                               "asked for, else now. Not in the future, not before the request or the request for "
                               "proof."),
    )
    note = forms.CharField(label=gettext_lazy("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class IdentityReceivedForm(forms.Form):
    received_at = forms.SplitDateTimeField(
        label=gettext_lazy("proof received at"), required=False, widget=AdminSplitDateTime,
        help_text=gettext_lazy("When the proof of identity that was asked for arrived; empty: now. UK: the one-month "
                               "clock starts that day (UK GDPR Art. 12A), whenever the check is decided."),
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("identity document"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(types)s, at most %(limit)s.") % {
            "types": allowed_type_names(), "limit": filesizeformat(settings.IDENTITY_DOCUMENT_MAX_BYTES),
        }

    def clean_file(self):
        # The service checks again; here the refusal lands on the field, in the user's language.
        file = self.cleaned_data["file"]
        identity_document_check(file)
        return file


class DraftForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=DraftKind.choices)
    language = forms.ChoiceField(label=gettext_lazy("language"), choices=settings.LANGUAGES)
    reasons = forms.CharField(
        label=gettext_lazy("reasons (extension / refusal) or what was done (response)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason for the erasure"), max_length=CHANGE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=gettext_lazy("Kept on each case with your name and the date, e.g. “retention period ended”."),
    )


class AssignForm(forms.Form):
    # Only people who may work cases: an assignee sees the case's identity documents.
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("assignee"), required=False, empty_label=gettext_lazy("(unassigned)"),
        queryset=get_user_model().objects.none(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users()


class ChoiceLabel(forms.Widget):
    """A choice shown as its label only (no ``<select>``): for a field that is read-only on a row."""

    def __init__(self, choices=(), attrs=None):
        super().__init__(attrs)
        self.choices = list(choices)

    def render(self, name, value, attrs=None, renderer=None):
        value = "" if value is None else str(value)
        label = next((str(text) for key, text in self.choices if str(key) == value and value), "—")
        return format_html('<span class="readonly">{}</span>', label)


class TaskRowForm(forms.ModelForm):
    """A task row on the case page. A saved task names its service and processor as text: a full
    list of each on every row was most of a busy case page; the new row still offers the lists.
    The owner is typed by login name (``admin_base.staff_login_field``)."""

    ROW_LABEL_FIELDS = ("service", "processor")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        staff_login_initial(self)  # the owner, read with the row (select_related)
        if self.instance.title_message:
            # A generated title in the reader's language; left as it is, the row is unchanged.
            self.initial["title"] = self.instance.title_text
        for name in self.ROW_LABEL_FIELDS:
            field = self.fields.get(name)
            if field is not None:
                field.disabled = True  # the posted value is ignored: the saved one stays
                field.widget = ChoiceLabel(choices=field.choices)


class NativeDateInput(forms.DateInput):
    """The browser's own date picker: no script-built calendar per row (about 90 page elements each)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")  # the only value format the date input accepts


class NativeSplitDateTime(forms.SplitDateTimeWidget):
    """A date and a time in the browser's own inputs (the field names stay ``<name>_0`` / ``_1``)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, date_format="%Y-%m-%d", time_format="%H:%M:%S",
                         date_attrs={"type": "date"}, time_attrs={"type": "time", "step": "1"})
