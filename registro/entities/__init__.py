"""Accounts and what hangs off them, in one Django app (label `entities`) split into packages by
capability, each depending only on those below it: console → registration → membership → account
(ADR 0010)."""
