"""The tests' authenticator-app code is never read in the last two seconds of its period, when the
server, a moment later, would already be in the next one."""

import time

import pyotp

from tests.factories import TOTP_SECRET, totp_code


def test_a_code_near_the_end_of_its_period_waits_for_the_next(monkeypatch):
    slept = []
    now = [1_800_000_000 - 1.0]  # one second before a period ends (periods of 30 s from the epoch)
    monkeypatch.setattr(time, "time", lambda: now[0])
    monkeypatch.setattr(time, "sleep", lambda seconds: slept.append(seconds) or now.__setitem__(0, now[0] + seconds))
    code = totp_code()
    assert slept == [1.05]
    assert code == pyotp.TOTP(TOTP_SECRET).at(1_800_000_000 + 0.05)


def test_a_code_early_in_its_period_is_read_at_once(monkeypatch):
    slept = []
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000 + 5.0)
    monkeypatch.setattr(time, "sleep", slept.append)
    assert totp_code() == pyotp.TOTP(TOTP_SECRET).at(1_800_000_005) and slept == []
