"""Grid events (网格事件): what grid workers see on the street, handled on the spot or reported up.

Importing the package keeps each event's stage in step with its work order (``stages.after_move`` joins
``needs.lifecycle.AFTER_MOVE``) and lets the escalation notifications read in each reader's language
(its messages join ``needs.notify.MESSAGES``); the app, the CLI and the model registry import it.
"""

from linli.events.escalation import MESSAGES
from linli.events.stages import after_move
from linli.needs import lifecycle, notify

if after_move not in lifecycle.AFTER_MOVE:
    lifecycle.AFTER_MOVE.append(after_move)
notify.MESSAGES.update(MESSAGES)
