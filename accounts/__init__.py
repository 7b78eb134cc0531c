"""Accounts at the level GB/T 22239-2019 asks of an internal government system: hashed,
expiring API tokens; password rules and age; lockout by user name and by address, lifted by
a reviewer; an optional (per role: required) TOTP second factor; and an append-only audit
log of every login and account change (accounts.models.AccountEvent)."""
