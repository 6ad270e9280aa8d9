"""The upload form: a YAML file or pasted YAML text, at most ``MAX_PLAYBOOK_BYTES``."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile

MAX_PLAYBOOK_BYTES = 1024 * 1024  # the seed playbook is about 35 kB; 1 MB leaves ample room
PASTED_FILENAME = "pasted text"


class UploadPlaybookForm(forms.Form):
    """Either a file or pasted text (not both); ``cleaned_data`` gives ``text`` and ``filename``."""

    file = forms.FileField(
        label="Playbook file",
        required=False,
        help_text="A YAML file (.yaml or .yml), at most 1 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,application/yaml,text/yaml"}),
    )
    pasted = forms.CharField(
        label="Or paste the YAML",
        required=False,
        strip=False,  # the text is stored exactly as given
        widget=forms.Textarea(
            attrs={"rows": 16, "spellcheck": "false", "wrap": "off", "class": "code-input"}
        ),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        upload: UploadedFile | None = cleaned.get("file")
        pasted: str = cleaned.get("pasted") or ""
        if upload is not None and pasted.strip():
            raise forms.ValidationError("Give a file or paste the text, not both.")
        if upload is not None:
            cleaned["text"], cleaned["filename"] = _read_upload(upload), upload.name or "upload"
        elif pasted.strip():
            cleaned["text"], cleaned["filename"] = _checked_size(pasted), PASTED_FILENAME
        else:
            raise forms.ValidationError("Choose a playbook file or paste its YAML.")
        return cleaned


def _read_upload(upload: UploadedFile) -> str:
    # Read one byte past the limit, never the whole of an oversized file, to tell it is too big.
    data: bytes = upload.read(MAX_PLAYBOOK_BYTES + 1)
    if len(data) > MAX_PLAYBOOK_BYTES:
        raise _too_large(upload.size or len(data))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise forms.ValidationError(
            f"{upload.name} is not UTF-8 text (byte {error.start + 1} cannot be read); "
            "save it as UTF-8 and upload it again."
        ) from None


def _checked_size(text: str) -> str:
    size = len(text.encode("utf-8"))
    if size > MAX_PLAYBOOK_BYTES:
        raise _too_large(size)
    return text


def _too_large(size: int) -> forms.ValidationError:
    return forms.ValidationError(
        f"The playbook is {size:,} bytes, more than the 1 MB limit "
        f"({MAX_PLAYBOOK_BYTES:,} bytes). Is this the right file?"
    )
