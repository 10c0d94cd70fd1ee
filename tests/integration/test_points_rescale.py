"""Points never go below zero (issue 13 §3): the rule, and migration quiz 0014 that rescored
the answers stored under the old rule and had the statistics counted again, exactly."""

from __future__ import annotations

import importlib
import random
from types import SimpleNamespace

import pytest
from django.db import connection

from accounts.models import User
from quiz.models import Answer, StatPending
from quiz.scoring import points_for
from quiz.services.play import answer_submit, attempt_start
from quiz.stats import aggregation
from tests import spot_answers, stats_reference
from tests.stats_reference import reference

pytestmark = pytest.mark.django_db

migration = importlib.import_module("quiz.migrations.0014_points_never_negative")


def _old_rule(confidence: int, is_correct: bool) -> int:
    outcome = 100 if is_correct else 0
    return 100 - (2 * (confidence - outcome) ** 2) // 100


def test_the_migration_rescores_every_answer_and_the_cells_follow(demo_pack):
    rng = random.Random(3)
    items = list(demo_pack.items.all())
    for n in range(3):
        user = User.objects.create_user(f"s{n}", password="x", role="student")
        attempt = attempt_start(user=user, quiz=demo_pack)
        for item in items:
            answer_submit(
                attempt=attempt,
                item=item,
                confidence=rng.randrange(50, 101),
                **spot_answers.random_kwargs(item, rng),
            )
    aggregation.fold_all()
    # As the answers stood before the migration: the old rule, and cells counted with it.
    for answer in Answer.objects.all():
        answer.points = _old_rule(answer.confidence, answer.is_correct)
        answer.save(update_fields=["points"])
    aggregation.rebuild()
    assert Answer.objects.filter(points__lt=0).exists()

    migration.rescore_every_answer(None, SimpleNamespace(connection=connection))

    for answer in Answer.objects.all():
        assert answer.points == points_for(answer.confidence, answer.is_correct)
        assert 0 <= answer.points <= 100
    # Every answer is queued again on empty cells; the folds count them with the new points.
    assert StatPending.objects.count() == Answer.objects.count()
    aggregation.fold_all()
    expected_cells, expected_students = reference()
    assert stats_reference.stored_cells() == expected_cells
    assert stats_reference.stored_students() == expected_students


def test_the_migration_leaves_an_empty_database_alone():
    migration.rescore_every_answer(None, SimpleNamespace(connection=connection))
    assert not StatPending.objects.exists()
