# Unit tests (Check, TAP) and system tests (autotest).
