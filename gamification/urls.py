from django.urls import path

from gamification import views

app_name = "gamification"

urlpatterns = [
    path("badges/", views.badges_page, name="badges"),
    path("privileges/", views.privileges_page, name="privileges"),
    path("leaderboard/", views.leaderboard_page, name="leaderboard"),
]

# Rewards (payback): the catalogue, my redemptions, the staff queue.
from gamification.rewards.urls import urlpatterns as rewards_urlpatterns  # noqa: E402

urlpatterns += rewards_urlpatterns

# Fair play: the staff page of cases.
from gamification.fairplay.urls import urlpatterns as fairplay_urlpatterns  # noqa: E402

urlpatterns += fairplay_urlpatterns
