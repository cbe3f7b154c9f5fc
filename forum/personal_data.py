"""Personal data in posts: find it before it is stored, and mask it on request.

Customers paste phone numbers, IBANs, card numbers, e-mail addresses and tax codes into
public threads. Every write of a post's text (forum.services: ask, answer, comment and
the edits of each) passes through `guard`: with findings it refuses
(`PersonalDataFound`, a ValidationError carrying the findings) unless the caller asked
for masking, in which case the masked text is what gets written. So the unmasked text
never reaches a row, a revision, a notification, an e-mail, a socket event or a feed:
all of those are built from the stored text.

Decisions:
- Code blocks are scanned like the rest: an IBAN pasted in a ``` block is as public as
  one in a sentence. False positives are kept down by validating every candidate
  (IBAN check digits, the card's Luhn digit *and* a card network prefix, the tax code's
  control letter, phone numbers valid for their region) rather than by skipping parts.
- Luhn alone is not enough for cards: IMEI numbers (15 digits) are Luhn-valid by
  design, and one order number in ten is. A card must also start like a card network.
- Masking keeps separators and the last 4 letters or digits (and, for an IBAN, its
  country and check digits: `IT60 **** **** **** **** ***3 456`), so the reader still
  sees which of their numbers it was, and the masked text matches nothing again. Where
  Markdown would read the asterisks as emphasis (an e-mail address, a dashed number)
  the masked span is stored as inline code, so the page shows it as masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.it import codicefiscale

KINDS = ("phone", "iban", "card", "email", "tax_code")
KIND_LABELS = {
    "phone": _("phone number"),
    "iban": _("IBAN"),
    "card": _("payment card number"),
    "email": _("e-mail address"),
    "tax_code": _("tax code (codice fiscale)"),
}
# What a caller passes to the services: refuse text with personal data, or mask it.
REFUSE = "refuse"
MASK = "mask"
# Regions whose national formats are recognised; international "+.." numbers always are.
PHONE_REGIONS = ("IT", "GB", "US")
KEEP = 4

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}"
    r"[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b"
)
# Two letters, two check digits, then 11 to 30 letters or digits, optionally in groups.
_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){11,30}\b")
# 13 to 19 digits, optionally grouped by spaces or dashes.
_CARD = re.compile(r"(?<![\w.,/-])\d(?:[ -]?\d){12,18}(?![\w]|[.,/-]\d)")
_TAX_CODE = re.compile(
    r"\b[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Ea-eHhLlMmPpR-Tr-t]"
    r"[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z]\b"
)
# A stretch that may hold a phone number: digits with the separators people type.
_PHONE_CANDIDATE = re.compile(r"[+(]?\d[\d \t().\-/]{6,}\d")
_JOINERS = ("-", "/", ".", "_", "\\", "=")
_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
# Card networks' leading digits (IIN ranges) and lengths.
_CARD_NETWORKS: tuple[tuple[re.Pattern[str], tuple[int, ...]], ...] = (
    (re.compile(r"4"), (13, 16, 19)),  # Visa
    (re.compile(r"5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)"), (16,)),  # Mastercard
    (re.compile(r"3[47]"), (15,)),  # American Express
    (re.compile(r"6(?:011|5|4[4-9])"), (16, 17, 18, 19)),  # Discover
    (re.compile(r"35(?:2[89]|[3-8]\d)"), (16, 17, 18, 19)),  # JCB
    (re.compile(r"3(?:0[0-5]|[689])"), (14, 16, 17, 18, 19)),  # Diners
    (re.compile(r"5[06-9]|6\d"), (13, 14, 15, 16, 17, 18, 19)),  # Maestro
)


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int

    def as_dict(self) -> dict:
        return {"kind": self.kind, "start": self.start, "end": self.end}


def _emails(text: str) -> list[Finding]:
    return [Finding("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]


def _ibans(text: str) -> list[Finding]:
    found = []
    for match in _IBAN.finditer(text):
        # The pattern may run into the next word ("... 123456 GRAZ"): try the longest
        # candidate first, then shorter ones ending on a character of the match.
        candidate = match.group()
        for end in range(len(candidate), 14, -1):
            if not candidate[end - 1].isalnum():
                continue
            if end < len(candidate) and candidate[end].isalnum():
                continue  # would cut a group of letters or digits in two
            if stdnum_iban.is_valid(candidate[:end].replace("-", "")):
                found.append(Finding("iban", match.start(), match.start() + end))
                break
    return found


def _is_card(digits: str) -> bool:
    if not luhn.is_valid(digits):
        return False
    return any(
        prefix.match(digits) and len(digits) in lengths for prefix, lengths in _CARD_NETWORKS
    )


def _cards(text: str) -> list[Finding]:
    found = []
    for match in _CARD.finditer(text):
        raw = match.group()
        if len({c for c in raw if not c.isdigit()}) > 1:
            continue  # "1234 5678-9012..." mixes separators: not how a card is written
        if _is_card(re.sub(r"\D", "", raw)):
            found.append(Finding("card", match.start(), match.end()))
    return found


def _tax_codes(text: str) -> list[Finding]:
    return [
        Finding("tax_code", m.start(), m.end())
        for m in _TAX_CODE.finditer(text)
        if codicefiscale.is_valid(m.group().upper())
    ]


def _phones(text: str) -> list[Finding]:
    """Phone numbers. The matcher is slow (about a second for 30,000 characters in three
    regions), so it only reads the stretches of digits and separators that hold enough
    digits to be a phone number at all."""
    found = []
    for candidate in _PHONE_CANDIDATE.finditer(text):
        if sum(c.isdigit() for c in candidate.group()) < 8:
            continue
        found.extend(_phones_in(text, candidate.start(), candidate.end()))
    return found


def _phones_in(text: str, start: int, end: int) -> list[Finding]:
    # One character of context either side: the matcher refuses numbers glued to letters.
    start, end = max(start - 1, 0), end + 1
    found = []
    snippet = text[start:end]
    for region in PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(
            snippet, region, leniency=phonenumbers.Leniency.VALID
        ):
            match_start, match_end = start + match.start, start + match.end
            raw = match.raw_string
            if raw.lstrip("(").startswith(("+", "00")):
                found.append(Finding("phone", match_start, match_end))  # international
                continue
            # A national number must look like one: not a date ("01.04.2024"), not an
            # article code ("0456231/02"), and long enough ("2024 113" would be valid
            # in some US area, but nobody writes a phone number like that).
            before = text[match_start - 1 : match_start] if match_start else ""
            after = text[match_end : match_end + 2]
            joined = before in _JOINERS or (
                after[:1] in _JOINERS and (after[:1] != "." or after[1:].isalnum())
            )
            if "/" in raw or _DATE.fullmatch(raw) or joined:
                continue  # or part of a longer token: "-2147483648/-1", "v2/0212345678"
            digits = re.sub(r"\D", "", raw)
            if len(digits) >= 9 or (region == "US" and len(digits) == 10):
                found.append(Finding("phone", match_start, match_end))
    return found


def _overlaps(finding: Finding, kept: list[Finding]) -> bool:
    return any(finding.start < other.end and other.start < finding.end for other in kept)


def find_personal_data(text: str) -> list[Finding]:
    """The personal data in `text`, in order; overlapping candidates resolve to the more
    specific kind (an e-mail before a phone number inside it, a card before a phone)."""
    if not text:
        return []
    kept: list[Finding] = []
    for finder in (_emails, _ibans, _tax_codes, _cards, _phones):
        for finding in finder(text):
            if not _overlaps(finding, kept):
                kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


def _mask_span(span: str, kind: str) -> str:
    positions = [i for i, c in enumerate(span) if c.isalnum()]
    keep = set(positions[-KEEP:])
    if kind == "iban":
        keep.update(positions[:4])
    return "".join(c if (i in keep or not c.isalnum()) else "*" for i, c in enumerate(span))


# An asterisk next to punctuation can open or close Markdown emphasis ("*****.*****@..."
# would render as bold dots): such a masked span is stored as inline code, so it shows
# exactly as masked. Spans with only spaces between the runs render literally as they are.
_EMPHASIS_RISK = re.compile(r"\*[^\w\s*]|[^\w\s*]\*")


def _in_code(text: str, position: int) -> bool:
    """Whether `position` is inside a fenced block or an inline code span (roughly: an
    odd number of fences before it, or of backticks before it on its line)."""
    before = text[:position]
    fences = sum(1 for line in before.splitlines() if line.lstrip().startswith(("```", "~~~")))
    if fences % 2:
        return True
    return before[before.rfind("\n") + 1 :].count("`") % 2 == 1


def mask(text: str, findings: list[Finding]) -> str:
    """`text` with each finding's letters and digits replaced by `*` except the last 4
    (and an IBAN's first 4), separators kept. A masked span whose asterisks Markdown
    could read as emphasis is wrapped in backticks (unless it is already in code)."""
    parts = []
    position = 0
    for finding in sorted(findings, key=lambda f: f.start):
        parts.append(text[position : finding.start])
        masked = _mask_span(text[finding.start : finding.end], finding.kind)
        if _EMPHASIS_RISK.search(masked) and not _in_code(text, finding.start):
            masked = f"`{masked}`"
        parts.append(masked)
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


def describe(text: str, findings: list[Finding]) -> list[dict]:
    """For a warning: each finding's kind, label and how it will look once masked."""
    return [
        {
            **finding.as_dict(),
            "label": KIND_LABELS[finding.kind],
            "masked": _mask_span(text[finding.start : finding.end], finding.kind),
        }
        for finding in findings
    ]


class PersonalDataFound(ValidationError):
    """Text to be posted holds personal data and the caller did not ask to mask it.

    `findings` maps each field ("title", "body") to its findings."""

    code = "personal_data"

    def __init__(self, findings: dict[str, list[Finding]]) -> None:
        self.findings = findings
        super().__init__(
            {
                field: [ValidationError(message(items), code=self.code)]
                for field, items in findings.items()
            }
        )


def message(findings: list[Finding]) -> str:
    kinds = list(dict.fromkeys(str(KIND_LABELS[f.kind]) for f in findings))
    return _(
        "This text contains personal data (%(kinds)s). Remove it, or mask it before posting: "
        "the thread is public."
    ) % {"kinds": ", ".join(kinds)}


def guard(mode: str = REFUSE, **texts: str) -> dict[str, str]:
    """The texts to store: unchanged when clean, masked when `mode` is MASK; otherwise
    raises PersonalDataFound naming every field with findings. Called by the services
    before they write anything."""
    if mode not in (REFUSE, MASK):
        raise ValueError(f"unknown personal data mode {mode!r}")
    result = {}
    found = {}
    for field, text in texts.items():
        findings = find_personal_data(text) if isinstance(text, str) else []
        if findings and mode == REFUSE:
            found[field] = findings
        result[field] = mask(text, findings) if findings else text
    if found:
        raise PersonalDataFound(found)
    return result
