"""Courses (阳光小课堂): courses for children, sign-ups with a waitlist, sessions, helpers and attendance.

Importing the package lets the SLA tick lapse the seats offered from a waitlist and not confirmed in time
(``seats.lapse_offers`` joins ``needs.escalation.ALSO``), and lets the notifications it writes read in
each reader's language (its messages join ``needs.notify.MESSAGES``); the app, the CLI and the model
registry import it.
"""

from linli.courses.seats import MESSAGES, lapse_offers
from linli.needs import escalation, notify

if lapse_offers not in escalation.ALSO:
    escalation.ALSO.append(lapse_offers)
notify.MESSAGES.update(MESSAGES)
