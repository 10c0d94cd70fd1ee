from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views, views_teachers

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChange.as_view(), name="password_change"),
    path("accounts/signup/", views.student_signup, name="student_signup"),
    path("accounts/signup/teacher/", views.teacher_signup, name="teacher_signup"),
    path("join/", views.join, name="join"),
    path("language/", views.language_set, name="language_set"),
    path("teachers/", views_teachers.teachers, name="teachers"),
    path("teachers/<int:user_id>/approve/", views_teachers.teacher_approve, name="teacher_approve"),
    path("teachers/<int:user_id>/refuse/", views_teachers.teacher_refuse, name="teacher_refuse"),
    path("teachers/<int:user_id>/admin/", views_teachers.teacher_set_admin, name="teacher_admin"),
    path("teachers/educators/", views_teachers.school_educators, name="school_educators"),
    path("teachers/language/", views_teachers.school_language, name="school_language"),
    path("classes/", views.classroom_list, name="classroom_list"),
    path("classes/new/", views.classroom_create, name="classroom_create"),
    path("classes/<int:classroom_id>/", views.classroom_detail, name="classroom_detail"),
    path("classes/<int:classroom_id>/code/", views.classroom_code, name="classroom_code"),
    path(
        "classes/<int:classroom_id>/join-sheet/",
        views.classroom_join_sheet,
        name="classroom_join_sheet",
    ),
    path("classes/<int:classroom_id>/students/", views.students_add, name="students_add"),
    path(
        "classes/<int:classroom_id>/teachers/",
        views.classroom_add_teacher,
        name="classroom_add_teacher",
    ),
    path("classes/<int:classroom_id>/archive/", views.classroom_archive, name="classroom_archive"),
    path("classes/<int:classroom_id>/cards/", views.login_cards, name="login_cards"),
    path(
        "classes/<int:classroom_id>/students/<int:student_id>/reset-password/",
        views.student_reset_password,
        name="student_reset_password",
    ),
    path(
        "classes/<int:classroom_id>/students/<int:student_id>/unlock/",
        views.student_unlock,
        name="student_unlock",
    ),
    path(
        "classes/<int:classroom_id>/students/<int:student_id>/remove/",
        views.student_remove,
        name="student_remove",
    ),
]
