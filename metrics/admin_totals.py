"""The area totals the roll-up reads (metrics.totals), read only: derived from the figures,
kept by the figure services and rebuilt by the worker, never edited by hand."""

from django.contrib import admin

from lawgov.admin_helpers import ReadOnlyAdmin, when

from .models import AreaTotal, PeriodTotals, RollupGeneration, UnitSent


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


@admin.register(UnitSent)
class UnitSentAdmin(ReadOnlyAdmin):
    list_display = ["unit", "period", "sent", "last_sent", "generation"]
    list_filter = ["period"]
    list_select_related = ["unit", "period"]

    @admin.display(description="最后报送时间", ordering="last_sent_at")
    def last_sent(self, obj):
        return when(obj.last_sent_at)
