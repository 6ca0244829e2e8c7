"""Volunteers (志愿者): profiles with consent, skills, availability and load; their tasks, hours and record.

Importing the package keeps volunteers' tasks in step with their work orders (``tasks.after_move`` joins
``needs.lifecycle.AFTER_MOVE``); the app, the CLI and the model registry import it.
"""

from linli.needs.lifecycle import AFTER_MOVE
from linli.volunteers.tasks import after_move

if after_move not in AFTER_MOVE:
    AFTER_MOVE.append(after_move)
