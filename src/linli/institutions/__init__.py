"""Institutions (托教机构) and their inspections: licences, templates as data, findings and follow-ups.

Importing the package lets the SLA tick mark overdue findings (``findings.mark_overdue`` joins
``needs.escalation.ALSO``); the app, the CLI and the model registry import it.
"""

from linli.institutions.findings import mark_overdue
from linli.needs.escalation import ALSO

if mark_overdue not in ALSO:
    ALSO.append(mark_overdue)
