from datetime import UTC, datetime, timedelta

import pyotp

from app.security import recovery_codes, totp
from app.security.crypto import decrypt_text

AT = datetime(2026, 3, 2, 14, 30, 10, tzinfo=UTC)


def test_codes_match_pyotp_and_standard_apps() -> None:
    secret = totp.new_secret()
    assert len(secret) == 32
    assert totp.code_at(secret, AT) == pyotp.TOTP(secret).at(AT)


def test_current_and_one_step_either_side_are_accepted() -> None:
    secret = totp.new_secret()
    now_step = totp.step_at(AT)
    for offset in (-1, 0, 1):
        code = totp.code_at(secret, AT + timedelta(seconds=30 * offset))
        assert totp.matching_step(secret, code, at=AT, last_used_step=None) == now_step + offset


def test_two_steps_away_is_refused() -> None:
    secret = totp.new_secret()
    for offset in (-2, 2, -3, 10):
        code = totp.code_at(secret, AT + timedelta(seconds=30 * offset))
        if code in {totp.code_at(secret, AT + timedelta(seconds=30 * o)) for o in (-1, 0, 1)}:
            continue  # a one-in-a-million collision: nothing to test
        assert totp.matching_step(secret, code, at=AT, last_used_step=None) is None


def test_a_code_is_usable_once_and_earlier_codes_die_with_it() -> None:
    secret = totp.new_secret()
    code = totp.code_at(secret, AT)
    step = totp.matching_step(secret, code, at=AT, last_used_step=None)
    assert step is not None
    assert totp.matching_step(secret, code, at=AT, last_used_step=step) is None  # replay
    earlier = totp.code_at(secret, AT - timedelta(seconds=30))
    assert totp.matching_step(secret, earlier, at=AT, last_used_step=step) is None
    later = totp.code_at(secret, AT + timedelta(seconds=30))
    assert totp.matching_step(secret, later, at=AT, last_used_step=step) == step + 1


def test_malformed_codes_are_refused() -> None:
    secret = totp.new_secret()
    for bad in ("", "12345", "1234567", "abcdef", "12 34 5x", "٣٣٣٣٣٣"):
        assert totp.matching_step(secret, bad, at=AT, last_used_step=None) is None
    spaced = totp.code_at(secret, AT)
    assert totp.matching_step(secret, spaced[:3] + " " + spaced[3:], at=AT, last_used_step=None)


def test_secret_is_encrypted_at_rest() -> None:
    secret = totp.new_secret()
    stored = totp.encrypt_secret(secret)
    assert secret not in stored and decrypt_text(stored) == secret


def test_qr_is_an_svg_data_uri_without_inline_style() -> None:
    uri = totp.provisioning_uri(totp.new_secret(), account="a@b.org", issuer="Steward Riverbend")
    assert uri.startswith("otpauth://totp/") and "issuer=Steward" in uri
    qr = totp.qr_data_uri(uri)
    assert qr.startswith("data:image/svg+xml")
    assert "style" not in qr.lower() and "script" not in qr.lower()


def test_recovery_codes_are_random_and_hashed() -> None:
    codes = recovery_codes.generate()
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(recovery_codes.looks_like_code(c) for c in codes)
    h = recovery_codes.hash_code(codes[0])
    assert codes[0] not in h and h == recovery_codes.hash_code(codes[0].upper().replace("-", " "))
