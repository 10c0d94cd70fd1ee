"""Every URL of the quiz app: one pattern list per feature, each under its own namespace
(names and namespaces are stable: templates, tests and bookmarks use them)."""

from __future__ import annotations

from django.urls import include, path

from quiz.views import (
    builder,
    feed,
    insights,
    learn,
    library,
    live,
    media,
    packs,
    play,
    practice,
    privacy,
    teach,
    uploads,
)

play_patterns = [
    path("play/", play.quiz_list, name="quiz_list"),
    path("play/<slug:slug>/start/", play.attempt_start, name="attempt_start"),
    path("assignments/<int:assignment_id>/start/", play.assignment_start, name="assignment_start"),
    path("attempts/<int:attempt_id>/", play.attempt_play, name="attempt_play"),
    path(
        "attempts/<int:attempt_id>/rounds/<slug:round_key>/answer/",
        play.answer_submit,
        name="answer_submit",
    ),
    path(
        "attempts/<int:attempt_id>/rounds/<slug:round_key>/feedback/",
        play.round_feedback,
        name="round_feedback",
    ),
    path("attempts/<int:attempt_id>/summary/", play.attempt_summary, name="attempt_summary"),
    path("progress/", play.progress, name="progress"),
]

media_patterns = [
    # Stored names: the library, the builder, uploads and feedback's magnified replays.
    path("m/<path:name>", media.serve, name="media"),
    # A round's media and poster under names of one attempt only (play pages).
    path("attempts/<int:attempt_id>/media/<str:name>", media.attempt_serve, name="attempt_media"),
    # A lesson's worked examples under names of the learner's own (learn pages).
    path("learn/media/<str:name>", media.lesson_serve, name="lesson_media"),
]

builder_patterns = [
    path("", builder.quiz_index, name="quiz_index"),
    path("new/", builder.quiz_new, name="quiz_new"),
    path("<slug:slug>/", builder.quiz_edit, name="quiz_edit"),
    path("<slug:slug>/copy/", builder.quiz_copy, name="quiz_copy"),
]

uploads_patterns = [
    path("", uploads.upload_page, name="upload_page"),
    path("status/", uploads.upload_status, name="upload_status"),
    path("status/<int:clip_id>/", uploads.clip_status, name="clip_status"),
]

library_patterns = [
    path("", library.library_index, name="index"),
    path("clips/<int:clip_id>/", library.clip_detail, name="clip_detail"),
    path("clips/<int:clip_id>/retire/", library.clip_retire, name="clip_retire"),
    path(
        "clips/<int:clip_id>/keep-for-tests/",
        library.clip_keep_for_tests,
        name="clip_keep_for_tests",
    ),
    path("clips/<int:clip_id>/artifacts/", library.artifact_create, name="artifact_create"),
    path(
        "clips/<int:clip_id>/artifacts/<int:artifact_id>/",
        library.artifact_edit,
        name="artifact_edit",
    ),
    path(
        "clips/<int:clip_id>/artifacts/<int:artifact_id>/delete/",
        library.artifact_delete,
        name="artifact_delete",
    ),
]

# Packs live in the library's namespace: they are the library's import and export.
packs_patterns = [
    path("packs/import/", packs.pack_import, name="pack_import"),
    path("packs/export/", packs.pack_export, name="pack_export"),
    path("packs/jobs/<int:job_id>/", packs.pack_job, name="pack_job"),
    path("packs/jobs/<int:job_id>/download/", packs.pack_download, name="pack_download"),
]

teach_patterns = [
    path("assign/<slug:slug>/", teach.assignment_create, name="assignment_create"),
    path("assignments/", teach.assignment_list, name="assignment_list"),
    path("classes/<int:classroom_id>/stats/", teach.class_stats, name="class_stats"),
    path("assignments/<int:assignment_id>/", teach.assignment_live, name="assignment_live"),
    path("live/<int:assignment_id>/", teach.assignment_live_table, name="assignment_live_table"),
    path(
        "assignments/<int:assignment_id>/report/",
        teach.assignment_report,
        name="assignment_report",
    ),
    path(
        "assignments/<int:assignment_id>/answers.csv",
        teach.assignment_answers_csv,
        name="assignment_answers_csv",
    ),
    path(
        "assignments/<int:assignment_id>/students.csv",
        teach.assignment_students_csv,
        name="assignment_students_csv",
    ),
]

insights_patterns = [
    path("", insights.index, name="index"),
    path("schools/<int:school_id>/", insights.school_overview, name="school_overview"),
    path(
        "schools/<int:school_id>/overview.csv",
        insights.school_overview_csv,
        name="school_overview_csv",
    ),
    path(
        "schools/<int:school_id>/overview.json",
        insights.school_overview_json,
        name="school_overview_json",
    ),
    path("schools/<int:school_id>/categories/", insights.categories, name="categories"),
    path(
        "schools/<int:school_id>/categories/spot-rates.csv",
        insights.spot_rates_csv,
        name="spot_rates_csv",
    ),
    path("schools/<int:school_id>/generators/", insights.generators, name="generators"),
    path("schools/<int:school_id>/calibration/", insights.calibration, name="calibration"),
    path(
        "schools/<int:school_id>/learning-curve/",
        insights.learning_curve,
        name="learning_curve",
    ),
    path("schools/<int:school_id>/gains/", insights.gains, name="gains"),
    path("schools/<int:school_id>/items/", insights.items, name="items"),
    path("schools/<int:school_id>/boosters/", insights.boosters, name="boosters"),
]

# Students' data: the privacy page, downloads, deleting for good (issue 11 §3).
privacy_patterns = [
    path("", privacy.privacy_page, name="privacy_page"),
    path("my-data.<str:fmt>", privacy.my_data, name="my_data"),
    path("classes/<int:classroom_id>/data.<str:fmt>", privacy.class_data, name="class_data"),
    path(
        "classes/<int:classroom_id>/delete/",
        privacy.class_delete_confirm,
        name="class_delete_confirm",
    ),
    path("classes/<int:classroom_id>/erase/", privacy.class_delete, name="class_delete"),
    path(
        "classes/<int:classroom_id>/students/<int:student_id>/data.<str:fmt>",
        privacy.student_data,
        name="student_data",
    ),
    path(
        "classes/<int:classroom_id>/students/<int:student_id>/delete/",
        privacy.student_delete_confirm,
        name="student_delete_confirm",
    ),
    path(
        "classes/<int:classroom_id>/students/<int:student_id>/erase/",
        privacy.student_delete,
        name="student_delete",
    ),
]

# Feeds (issue 14 §4): the teacher's "New feed", the practice feed, playing and results.
feed_patterns = [
    path("teach/feeds/new/", feed.feed_new, name="new"),
    path("feeds/practice/", feed.practice_start, name="practice_start"),
    path("feeds/<int:attempt_id>/", feed.feed_play, name="play"),
    path("feeds/<int:attempt_id>/clips/<slug:round_key>/", feed.feed_answer, name="answer"),
    path("feeds/<int:attempt_id>/summary/", feed.feed_summary, name="summary"),
]

# Lessons (issue 14 §2): a lesson per giveaway category, its check, an assigned lesson, and
# the teacher's list of lessons to assign.
learn_patterns = [
    path("learn/", learn.learn_index, name="index"),
    path("learn/assignments/<int:assignment_id>/", learn.assignment_lesson, name="assignment"),
    path("learn/<slug:code>/", learn.lesson, name="lesson"),
    path("learn/<slug:code>/check/", learn.check_start, name="check_start"),
    path("teach/lessons/", learn.teacher_lessons, name="teacher_lessons"),
    path("teach/lessons/<slug:code>/assign/", learn.lesson_assign, name="assign"),
]

# Adaptive practice and boosters (issue 14 §3, §4): started here, played by the play loop.
practice_patterns = [
    path("practice/start/", practice.practice_start, name="start"),
    path("practice/boosters/<int:plan_id>/start/", practice.booster_start, name="booster_start"),
    path("teach/practice/assign/", practice.practice_assign, name="assign"),
    path(
        "teach/classes/<int:classroom_id>/boosters.csv",
        practice.class_boosters_csv,
        name="class_boosters_csv",
    ),
]

# Live lessons (issue 15): the teacher's projector under teach/games/ (teach/live/ is the
# assignment live view), devices under live/.
live_patterns = [
    path("teach/games/", live.game_list, name="game_list"),
    path("teach/games/new/<slug:slug>/", live.game_new, name="game_new"),
    path(
        "teach/games/new/assignment/<int:assignment_id>/",
        live.game_new_for_assignment,
        name="game_new_for_assignment",
    ),
    path("teach/games/<int:game_id>/", live.projector, name="projector"),
    path("teach/games/<int:game_id>/part/<slug:part>/", live.projector_part, name="projector_part"),
    path("teach/games/<int:game_id>/control/", live.projector_control, name="control"),
    path("teach/games/<int:game_id>/settings/", live.projector_settings, name="settings"),
    path("teach/games/<int:game_id>/report/", live.game_report, name="report"),
    path("live/", live.join, name="join"),
    path("live/<int:game_id>/", live.device, name="device"),
    path("live/<int:game_id>/join/", live.join_class_game, name="join_class_game"),
    path("live/<int:game_id>/panel/", live.device_panel, name="panel"),
    path("live/<int:game_id>/answer/", live.device_answer, name="answer"),
    path("live/<int:game_id>/media/<str:name>", media.live_serve, name="media"),
    path("live/<int:game_id>/events/", live.game_events, name="events"),
]

# (prefix, patterns, namespace). The upload pages sit under library/ but keep their own
# namespace; they must come before the library's, whose patterns would not match them anyway.
urlpatterns = [
    path("", include((play_patterns + media_patterns, "quiz"))),
    path("teach/quizzes/", include((builder_patterns, "build"))),
    path("library/upload/", include((uploads_patterns, "upload"))),
    path("library/", include((library_patterns + packs_patterns, "library"))),
    path("teach/", include((teach_patterns, "teach"))),
    path("insights/", include((insights_patterns, "insights"))),
    path("privacy/", include((privacy_patterns, "privacy"))),
    path("", include((feed_patterns, "feed"))),
    path("", include((learn_patterns, "learn"))),
    path("", include((live_patterns, "live"))),
    path("", include((practice_patterns, "practice"))),
]
