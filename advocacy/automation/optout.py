"""Opting out of a rule: from the member's settings or one click in the e-mail (a
signed token, no login, no expiry; replaying it repeats the same idempotent choice)."""

from __future__ import annotations

from django.core import signing

from advocacy.models import AutomationOptOut

SALT = "circolo.automation.opt-out"


def make_token(user_id: int, rule: str) -> str:
    return signing.dumps({"u": user_id, "r": rule}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, str] | None:
    from advocacy.automation.engine import registered

    if not isinstance(token, str) or len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, rule = data.get("u"), data.get("r")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or rule not in registered():
        return None
    return user_id, rule


def opt_out(user_id: int, rule: str) -> None:
    AutomationOptOut.objects.get_or_create(user_id=user_id, rule=rule)


def opt_in(user_id: int, rule: str) -> None:
    AutomationOptOut.objects.filter(user_id=user_id, rule=rule).delete()


def member_rules() -> dict:
    """{key: rule} of the rules whose messages members may switch off."""
    from advocacy.automation.engine import registered

    return {key: rule for key, rule in registered().items() if rule.opt_out}


def receiving(user_id: int) -> dict[str, bool]:
    """{rule: True when the member gets its messages} for every rule they may switch off."""
    out = set(AutomationOptOut.objects.filter(user_id=user_id).values_list("rule", flat=True))
    return {key: key not in out for key in member_rules()}


def set_receiving(user_id: int, choices: dict[str, bool]) -> dict[str, bool]:
    """Switch rules' messages on (True) or off (False); unknown rules raise ValueError
    before anything changes."""
    unknown = sorted(set(choices) - set(member_rules()))
    if unknown:
        raise ValueError(", ".join(unknown))
    for key, wanted in choices.items():
        (opt_in if wanted else opt_out)(user_id, key)
    return receiving(user_id)
