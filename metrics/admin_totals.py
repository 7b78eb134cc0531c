"""The area totals the roll-up reads (metrics.totals), read only: derived from the figures,
kept by the figure services and rebuilt by the worker, never edited by hand."""

from django.contrib import admin

from lawgov.admin_helpers import ReadOnlyAdmin, when

from .models import AreaTotal, PeriodTotals, RollupGeneration


@admin.register(AreaTotal)
class AreaTotalAdmin(ReadOnlyAdmin):
    list_display = ["area", "indicator", "period", "approved", "own_n", "below_n", "generation"]
    list_filter = ["period", "approved"]
    list_select_related = ["area", "indicator", "period"]
    search_fields = ["area__name", "indicator__code"]


@admin.register(PeriodTotals)
class PeriodTotalsAdmin(ReadOnlyAdmin):
    list_display = ["period", "generation", "built"]

    @admin.display(description="生成时间", ordering="built_at")
    def built(self, obj):
        return when(obj.built_at)


@admin.register(RollupGeneration)
class RollupGenerationAdmin(ReadOnlyAdmin):
    list_display = ["number"]
