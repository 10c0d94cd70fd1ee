"""Form data the tests post again and again, written once."""

from __future__ import annotations

from typing import Any


def assignment_form(classroom: Any, **changes: Any) -> dict[str, Any]:
    """A valid assign-form post for one class (or a raw value such as a huge id), a week from
    2099-12-01 08:00 in the school's time zone, one attempt, feedback after each answer."""
    return {
        "classrooms": [getattr(classroom, "pk", classroom)],
        "opens_at": "2099-12-01T08:00",
        "due_at": "2099-12-08T08:00",
        "attempts_allowed": "1",
        "feedback": "each",
        **changes,
    }
