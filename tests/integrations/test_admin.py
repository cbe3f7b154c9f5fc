"""The webhooks in the admin: managers only, the SSRF guard, the secret shown once, the
delivery log and its retry action."""

from __future__ import annotations

from integrations.models import Delivery, Endpoint


def test_a_manager_adds_an_endpoint_and_reads_its_secret_once(manager_client, receiver):
    response = manager_client.post(
        "/admin/integrations/endpoint/add/",
        {
            "url": receiver.url,
            "description": "Helpdesk",
            "events": ["answer.created", "flag.created"],
            "is_active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    assert response.status_code == 200
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["answer.created", "flag.created"]
    assert endpoint.created_by.username == "marco-manager"
    assert endpoint.secret in response.content.decode()
    page = manager_client.get(f"/admin/integrations/endpoint/{endpoint.pk}/change/")
    assert endpoint.secret not in page.content.decode()


def test_the_admin_refuses_a_private_target(manager_client, settings):
    settings.CIRCOLO_WEBHOOKS_ALLOW_PRIVATE = False
    response = manager_client.post(
        "/admin/integrations/endpoint/add/",
        {
            "url": "http://169.254.169.254/latest/",
            "events": ["answer.created"],
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "private, loopback" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_the_delivery_log_and_retry_action(
    manager_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    failed = Delivery.objects.create(
        endpoint=endpoint, event="webhook.test", body="{}", status="failed", attempts=7
    )
    listing = manager_client.get("/admin/integrations/delivery/")
    assert listing.status_code == 200
    assert "webhook.test" in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            "/admin/integrations/delivery/",
            {"action": "retry", "_selected_action": [failed.pk]},
        )
    receiver.wait_for(1)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("succeeded", 8)


def test_staff_who_are_not_managers_cannot_see_webhooks(staff_client, endpoint):
    for path in (
        "/admin/integrations/endpoint/",
        f"/admin/integrations/endpoint/{endpoint.pk}/change/",
        "/admin/integrations/delivery/",
    ):
        assert staff_client.get(path).status_code == 403
