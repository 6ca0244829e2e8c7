"""Deliberation (协商议事): councils and groups, topics, meetings with a quorum, votes per member, follow-ups.

Importing the package lets the SLA tick mark the follow-ups past their day and tell their owners
(``follow_ups.mark_late`` joins ``needs.escalation.ALSO``), and lets those messages read in each reader's
language (they join ``needs.notify.MESSAGES``); the app, the CLI and the model registry import it.
"""

from linli.civic.councils.follow_ups import MESSAGES, mark_late
from linli.needs import escalation, notify

if mark_late not in escalation.ALSO:
    escalation.ALSO.append(mark_late)
notify.MESSAGES.update(MESSAGES)
