"""The advocate programme: eligibility, candidates, approving and revoking advocates, the
advocates list, and the advocate mark next to names. Writes live in
`advocacy.services.programme`."""
