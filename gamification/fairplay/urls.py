"""The staff page of fair-play cases; included in `gamification.urls` (app "gamification")."""

from django.urls import path

from gamification.fairplay import views

urlpatterns = [
    path("fair-play/", views.case_list, name="fair_play"),
    path("fair-play/<int:pk>/", views.case_detail, name="fair_play_case"),
    path("fair-play/<int:pk>/review/", views.review, name="review_fair_play_case"),
]
