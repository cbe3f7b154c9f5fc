from django.urls import path

from gamification import views

app_name = "gamification"

urlpatterns = [
    path("badges/", views.badges_page, name="badges"),
    path("privileges/", views.privileges_page, name="privileges"),
    path("leaderboard/", views.leaderboard_page, name="leaderboard"),
]
