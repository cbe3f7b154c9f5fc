"""The escalation desk: support staff work escalated questions (PRODUCT.md, "Escalation
desk"). Models in `advocacy.models.desk`, writes in `advocacy.services.escalations`;
here the reads (`selectors`), who may do what (`permissions`), the SLA defaults (`sla`),
the `desk` live stream (`live`), the pages (`views`) and the API (`api`)."""
