"""The admin's figure correction form and how a refused correction reaches it."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from .catalogue_forms import refuse
from .models import Figure
from .numbers import plain


def refusal(exc: ValidationError | PermissionDenied) -> list[str]:
    """What a service's refusal says, as lines of text."""
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]


class CorrectionRefused(Exception):
    """services.correct_figure refused the save: `error` for the form, and the version the
    form should carry when the figure changed meanwhile."""

    def __init__(self, error: ValidationError, current_version: int | None = None):
        super().__init__(error)
        self.error = error
        self.current_version = current_version


class FigureCorrectionForm(forms.ModelForm):
    """The figure form writes no model field itself (FigureAdmin.get_form gives it none): the
    text typed goes as it is to services.correct_figure, which parses and checks it."""

    value = forms.CharField(label="数值", required=False)
    remark = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        label="更正原因",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写更正原因"},
        help_text="记入修改历史，并作为意见告知填报部门。",
    )
    loaded_version = forms.IntegerField(widget=forms.HiddenInput)
    refused: CorrectionRefused | None = None  # a first attempt at saving this POST

    class Meta:
        model = Figure
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        figure = self.instance
        self.initial.setdefault("value", "" if figure.value is None else plain(figure.value))
        self.initial.setdefault("remark", figure.remark)
        self.initial.setdefault("loaded_version", figure.version)
        if self.is_bound and self.refused and self.refused.current_version is not None:
            # Saving again after reading the conflict message is a deliberate overwrite.
            self.data = self.data.copy()
            self.data["loaded_version"] = str(self.refused.current_version)

    def clean(self):
        cleaned = super().clean()
        if self.refused is not None:
            self.add_error(None, self.refused.error)
        return cleaned


class CatalogueForm(forms.ModelForm):
    """The admin's form of an indicator, a section or a department: the catalogue service
    decides; a refusal of the first attempt at this POST is put back on its fields."""

    refused: CorrectionRefused | None = None

    def _post_clean(self):
        # The services run full_clean themselves, with their own checks; here only the
        # refusal of a first attempt, if any.
        if self.refused is not None:
            refuse(self, self.refused.error)
