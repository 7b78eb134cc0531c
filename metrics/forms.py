"""Reading the portal's forms. The entry form has one group of fields per indicator code:
value-<code>, remark-<code>, explanation-<code> and version-<code>."""

from django import forms

from .services import Entry
from .texts import COMMENT


def entries_from_post(data, codes) -> list[Entry]:
    entries = []
    for code in codes:
        if f"value-{code}" not in data and f"version-{code}" not in data:
            continue
        version = data.get(f"version-{code}", "")
        entries.append(
            Entry(
                code=code,
                value=data.get(f"value-{code}", ""),
                remark=data.get(f"remark-{code}", ""),
                explanation=data.get(f"explanation-{code}"),
                version=int(version)
                if version.isascii() and version.isdigit() and len(version) <= 18
                else None,
            )
        )
    return entries


class EvidenceForm(forms.Form):
    file = forms.FileField(label="佐证材料", error_messages={"required": "请选择要上传的文件。"})


class SheetUploadForm(forms.Form):
    file = forms.FileField(label="填好的 Excel 表", error_messages={"required": "请选择文件。"})


class CommentForm(forms.Form):
    text = forms.CharField(
        label="意见", max_length=COMMENT.limit, error_messages={"required": "意见内容不能为空。"}
    )
