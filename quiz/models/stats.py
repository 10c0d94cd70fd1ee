"""The statistics tables the background fold keeps (quiz.stats.aggregation)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from quiz.models.quizzes import Answer

if TYPE_CHECKING:
    pass


class StatCell(models.Model):
    """Additive counts of answers for one (scope, dimension, key) cell.

    Every figure in METRICS.md is computed from these sums, so any union of cells is summed
    first and the metric computed last. Sums are integers so that folding in any order or
    batch size gives exactly the same cell as a rebuild.
    """

    class Scope(models.TextChoices):
        USER = "user", _("Student")
        CLASS = "class", _("Class")
        SCHOOL = "school", _("School")
        EVERYONE = "all", _("Everyone")
        # What a teacher's live view of one assignment reads.
        ASSIGNMENT = "assignment", _("Assignment")

    class Dimension(models.TextChoices):
        OVERALL = "overall", _("Overall")
        CLIP = "clip", _("Clip")
        CATEGORY = "category", _("Artifact category")
        GENERATOR = "generator", _("Generator")
        MEDIA_KIND = "media", _("Media kind")
        ITEM_KIND = "item_kind", _("Kind of round")
        ASSIGNMENT = "assignment", _("Assignment")
        DAY = "day", _("Day")
        POSITION = "position", _("Position in the attempt")
        CONFIDENCE_BIN = "conf_bin", _("Confidence bin")
        # Class scope only: "YYYY-MM-DD:<assignment id>", for date and quiz filters together.
        DAY_ASSIGNMENT = "day_asg", _("Day and assignment")
        ITEM = "item", _("Quiz item")
        STUDENT = "student", _("Student")
        # For small-group suppression (quiz.stats.aggregation._KEYS): single rounds of a
        # generator's generated clips; single rounds by category and truth; free practice
        # by day.
        GENERATOR_SINGLE = "gen_single", _("Generator, single rounds")
        CATEGORY_SINGLE = "cat_single", _("Artifact category and truth, single rounds")
        PRACTICE = "practice", _("Free practice by day")
        # Spot rounds by artifact category: the students behind a category's spot rate.
        CATEGORY_SPOT = "cat_spot", _("Artifact category, spot rounds")

    scope = models.CharField(max_length=16, choices=Scope)
    scope_id = models.BigIntegerField()
    dimension = models.CharField(max_length=12, choices=Dimension)
    key = models.CharField(max_length=100)
    n = models.BigIntegerField(default=0)
    correct = models.BigIntegerField(default=0)
    hits = models.BigIntegerField(default=0)
    misses = models.BigIntegerField(default=0)
    false_alarms = models.BigIntegerField(default=0)
    correct_rejections = models.BigIntegerField(default=0)
    pair_n = models.BigIntegerField(default=0)
    pair_correct = models.BigIntegerField(default=0)
    # Confidence in percent points; Brier terms in units of 1/10000 ((pct - 100*o)^2).
    confidence_sum = models.BigIntegerField(default=0)
    brier_sum = models.BigIntegerField(default=0)
    points_sum = models.BigIntegerField(default=0)
    # Spot rounds (METRICS.md): they count here only, never in the counts above.
    spot_n = models.BigIntegerField(default=0, db_default=0)
    spot_hits = models.BigIntegerField(default=0, db_default=0)
    # Distinct students of the cell (its StatStudent rows), kept up to date by the fold so a
    # page reads one number; 0 where StatStudent rows are not kept. Not additive: a union of
    # cells counts its StatStudent rows instead.
    students = models.BigIntegerField(default=0, db_default=0)

    COUNT_FIELDS = (
        "n",
        "correct",
        "hits",
        "misses",
        "false_alarms",
        "correct_rejections",
        "pair_n",
        "pair_correct",
        "confidence_sum",
        "brier_sum",
        "points_sum",
        "spot_n",
        "spot_hits",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id", "dimension", "key"], name="statcell_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id} {self.dimension}={self.key}"

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.COUNT_FIELDS}


class StatPending(models.Model):
    """An answer whose counts are not in the stat tables yet: the fold's work queue.

    Stored in the answer's own transaction; a fold deletes the rows it claims (SELECT … FOR
    UPDATE SKIP LOCKED) in the transaction that adds their counts, so an answer is counted
    exactly once however ids commit, workers crash or tasks repeat (quiz.stats.aggregation).
    A narrow queue rather than a flag on the answer: claiming never rewrites answer rows.
    """

    answer = models.OneToOneField(
        Answer, primary_key=True, on_delete=models.CASCADE, related_name="stat_pending"
    )

    def __str__(self) -> str:
        return f"answer {self.answer_id} waiting to be folded"


class StatStudent(models.Model):
    """One student who answered into a cell: distinct students are not additive, so a
    cell's (or a union of cells') student count is counted from these rows.

    Kept for the class, school and everyone scopes and an assignment's overall cell (a
    student-scope cell always has one student).
    """

    scope = models.CharField(max_length=16, choices=StatCell.Scope)
    scope_id = models.BigIntegerField()
    dimension = models.CharField(max_length=12, choices=StatCell.Dimension)
    key = models.CharField(max_length=100)
    student_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id", "dimension", "key", "student_id"],
                name="statstudent_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_id} {self.dimension}={self.key} student {self.student_id}"


class StatStudentHome(models.Model):
    """Where all of one student's counted answers were given: one class and one school, or
    NULL where they span more than one (or none).

    A fold (quiz.stats.aggregation) reads it to know, without a look-up per (cell, student)
    pair, that a student is already counted in their class's and school's cells: a student
    whose counted answers all lie in class C, and whose own cell for a key held an answer
    before the batch, is already among the students of C's cell for that key. It may only
    err towards NULL (then the fold looks the pair up): a fold merges its batch in (a second
    class makes it NULL), a row is made only for a student with no counted answer yet (or
    NULL), erasing answers deletes their students' rows, and a rebuild recomputes it.
    """

    student_id = models.BigIntegerField(primary_key=True)
    classroom_id = models.BigIntegerField(null=True)
    school_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"student {self.student_id}: class {self.classroom_id}, school {self.school_id}"


class StatItemSums(models.Model):
    """The sums behind one clip's discrimination in one school (METRICS.md), kept by the
    fold so the item analysis reads this small table, never the answers
    (quiz.stats.item_sums).

    An observation is one answer to the clip (both clips of a pair round; spot rounds left
    out) in an attempt with at least two such answers in the school: x = 1 when it is right,
    r = how many of the attempt's other `rest_n` answers are right, so the rest score is
    r / rest_n. Kept per rest_n so that every sum is an integer: folding in any order, a
    rebuild and taking a student out give exactly the same rows.
    """

    school_id = models.BigIntegerField()
    clip_id = models.BigIntegerField()
    rest_n = models.PositiveIntegerField()
    n = models.BigIntegerField(default=0)
    sum_x = models.BigIntegerField(default=0)
    sum_r = models.BigIntegerField(default=0)
    sum_xr = models.BigIntegerField(default=0)
    sum_rr = models.BigIntegerField(default=0)

    SUM_FIELDS = ("n", "sum_x", "sum_r", "sum_xr", "sum_rr")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school_id", "clip_id", "rest_n"], name="statitemsums_once"
            )
        ]

    def __str__(self) -> str:
        return f"school {self.school_id} clip {self.clip_id} rest {self.rest_n}: n={self.n}"
