"""Self-governance (居民自治): deliberation councils, the 五好 selection, and the micro-story collection.

Three parts that do not import each other: ``councils`` (协商议事: councils, topics, meetings, votes,
follow-ups), ``honours`` (评选: nominations, one vote per household, results) and ``stories`` (微故事:
stories with the consent of the people they name, and the printable booklet). Importing the package
lets each part join the SLA tick and the notifications (see each part's ``__init__``).
"""

import linli.civic.councils
import linli.civic.honours
import linli.civic.stories  # noqa: F401  (their hooks)
