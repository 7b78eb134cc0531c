"""The reports app's answer to metrics.references: the template versions whose placeholders
name an indicator code. Versions are never changed (old reports are rebuilt from them), so a
code any version ever used stays referred to."""

from .models import TemplateVersion
from .rendering.markup import TemplateSyntaxError
from .selectors import placeholder_codes


def template_versions_referring_to(code: str) -> list[str]:

    found = []
    # The text filter keeps this one query over the few versions that mention the code at
    # all; the placeholders decide (a code in running text is no reference).
    versions = (
        TemplateVersion.objects.filter(text__contains=code)
        .select_related("template")
        .order_by("template__name", "number")
    )
    for version in versions:
        try:
            codes = placeholder_codes(version.text)
        except TemplateSyntaxError:
            continue
        if code in codes:
            found.append(f"讲话稿模板“{version.template.name}”第 {version.number} 版")
    return found
