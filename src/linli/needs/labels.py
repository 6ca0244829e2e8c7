"""The names of the work-order lifecycle's states and timeline actions (English msgids, translated in needs.po).

Shared by the pages that show an order's timeline: the needs pages and the grid events' pages.
"""

STATE_LABELS = {
    "received": "Received",
    "registered": "Case opened",
    "dismissed": "Dismissed",
    "dispatched": "Dispatched",
    "handling": "Being handled",
    "extended": "Extended",
    "supervised": "Supervised",
    "rework": "Rework",
    "returned": "Returned",
    "suspended": "Suspended",
    "reported": "Reported done",
    "checked": "Checked",
    "closed": "Case closed",
    "rated": "Rated",
}
ACTION_LABELS = {
    "receive": "Received",
    "register": "Register",
    "dismiss": "Dismiss",
    "dispatch": "Dispatch",
    "accept": "Accept",
    "return": "Return",
    "progress": "Report progress",
    "report_done": "Report done",
    "request_extension": "Ask for more time",
    "extend": "Extend",
    "refuse_extension": "Refuse more time",
    "suspend": "Suspend",
    "resume": "Resume",
    "supervise": "Supervise",
    "check": "Check passed",
    "rework": "Send back for rework",
    "close": "Close",
    "rate": "Rate",
    "reopen": "Reopen",
    "overdue": "Overdue",
    "escalate": "Escalated",
    "seen_again": "Seen again",
}
