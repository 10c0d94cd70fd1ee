"""Handing work to the Celery workers without ever holding up the person who caused it.

Services queue tasks by their stable names ("quiz.tasks.clip_ingest", ...) through
`enqueue`, so no service imports `quiz.tasks` (the tasks import the services): there is no
import cycle, not even inside functions. `QuizConfig.ready` imports the tasks, so a name is
always a registered task in the web process too, and `task_always_eager` (the tests, a
single-process install) runs it in place.
"""

from __future__ import annotations

import logging

from celery import current_app

log = logging.getLogger(__name__)


def enqueue(task_name: str, *args: object) -> bool:
    """Queue one run of a task; False (logged) when the broker cannot be reached.

    Callers decide what a lost message means: most rows stay in a state that a periodic
    task or a later action picks up again (every task is safe to run twice); a pack job
    fails at once with a message. The publish is tried once (retry=False): an answer or an
    upload must not wait for a broker that is down.
    """
    try:
        current_app.signature(task_name, args=args).apply_async(retry=False)
    except Exception:
        log.warning("could not queue %s%r", task_name, args, exc_info=True)
        return False
    return True
