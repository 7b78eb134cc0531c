"""Every write on figures, periods, evidence, reminders and the catalogue, one module per activity.

Each service is a function with keyword-only arguments that runs in one transaction, takes the
acting user (a portal user, or a named system account for the scheduler and the command line),
checks that user's permission itself and leaves its audit trail (django-simple-history rows
with a reason, comments in the figure's thread). The web views, the API, the admin, the
management commands and the Celery tasks all call these functions and nothing else to write.
"""

from ..deadlines import reminder_is_due
from ._common import EDITABLE_BY_CLERK, FigureConflict
from .area_approval import approve_area, withdraw_area_approval
from .catalogue import code_references, suggest_code
from .catalogue_indicators import (
    create_indicator,
    restore_indicator,
    retire_indicator,
    update_indicator,
)
from .catalogue_organisation import (
    create_department,
    create_section,
    delete_section,
    move_section,
    rename_section,
    reorder_sections,
    restore_department,
    retire_department,
    update_department,
)
from .catalogue_rules import activate_rule, create_rule, deactivate_rule, update_rule
from .corrections import correct_figure
from .evidence import add_evidence, delete_evidence, remove_evidence
from .figures import DraftResult, Entry, save_draft, save_figure, submit_figures
from .imported import (
    ImportConflict,
    add_indicator_aliases,
    import_conflicts,
    record_imported_figures,
)
from .imports import FigureRow, import_figures
from .office import update_office_settings
from .periods import (
    change_deadline,
    extend_deadline,
    lock_overdue_periods,
    lock_period,
    open_entry_for,
    open_period,
    reopen_period,
    withdraw_extension,
)
from .reminders import (
    REMINDER_DAYS_BEFORE,
    email_reminder,
    email_unsent_reminders,
    send_due_reminders,
    send_reminder,
)
from .review import (
    add_comment,
    approve_department,
    approve_figure,
    reopen_figure,
    return_figure,
)

__all__ = [
    "EDITABLE_BY_CLERK",
    "Entry",
    "DraftResult",
    "FigureConflict",
    "FigureRow",
    "ImportConflict",
    "import_conflicts",
    "add_indicator_aliases",
    "record_imported_figures",
    "REMINDER_DAYS_BEFORE",
    "add_comment",
    "add_evidence",
    "remove_evidence",
    "approve_area",
    "withdraw_area_approval",
    "approve_department",
    "approve_figure",
    "delete_evidence",
    "email_reminder",
    "email_unsent_reminders",
    "import_figures",
    "lock_overdue_periods",
    "lock_period",
    "change_deadline",
    "extend_deadline",
    "open_entry_for",
    "open_period",
    "update_office_settings",
    "withdraw_extension",
    "reminder_is_due",
    "reopen_figure",
    "reopen_period",
    "return_figure",
    "save_draft",
    "save_figure",
    "send_due_reminders",
    "send_reminder",
    "submit_figures",
    "correct_figure",
    "code_references",
    "create_department",
    "create_indicator",
    "create_section",
    "create_rule",
    "update_rule",
    "deactivate_rule",
    "activate_rule",
    "delete_section",
    "move_section",
    "rename_section",
    "reorder_sections",
    "restore_department",
    "restore_indicator",
    "retire_department",
    "retire_indicator",
    "suggest_code",
    "update_department",
    "update_indicator",
]
