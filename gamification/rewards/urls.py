"""The rewards pages; included in `gamification.urls` (app "gamification")."""

from django.urls import path

from gamification.rewards import views

urlpatterns = [
    path("rewards/", views.catalogue, name="rewards"),
    path("rewards/<int:pk>/redeem/", views.redeem, name="redeem_reward"),
    path("rewards/mine/", views.my_redemptions, name="my_redemptions"),
    path("rewards/redemptions/", views.redemption_queue, name="redemption_queue"),
    path("rewards/redemptions/<int:pk>/approve/", views.approve, name="approve_redemption"),
    path("rewards/redemptions/<int:pk>/refuse/", views.refuse_view, name="refuse_redemption"),
]
