"""The city's approvals of its districts as a whole (区域审核确认), read only: they are given
and withdrawn on the review queue (metrics.services.area_approval)."""

from django.contrib import admin

from lawgov.admin_helpers import ReadOnlyAdmin, when

from .models import AreaApproval


@admin.register(AreaApproval)
class AreaApprovalAdmin(ReadOnlyAdmin):
    list_display = ["area", "period", "approved_by", "approved"]
    list_filter = ["period"]
    list_select_related = ["area", "period", "approved_by"]

    @admin.display(description="审核时间", ordering="approved_at")
    def approved(self, obj):
        return when(obj.approved_at)
