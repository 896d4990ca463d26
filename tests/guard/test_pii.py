import pytest

from bot.guard import NOTE_PII, NOTE_SECRET, ScanContext, build_input_guard, redact_pii
from bot.guard.pii import iban_ok, luhn_ok, my_number_ok
from tests.guard.conftest import SHARED_DATA


@pytest.fixture(scope="module")
def pii_guard():
    return build_input_guard({"input": ["normalize", "pii", "secrets"]})


@pytest.mark.parametrize("text,code,placeholder", [
    ("mail me at jane.doe@example.com please", "pii.email", "[EMAIL]"),
    ("call me on 090-1234-5678", "pii.phone", "[PHONE]"),
    ("the office is 03-1234-5678", "pii.phone", "[PHONE]"),
    ("my number is +81 90 1234 5678", "pii.phone", "[PHONE]"),
    ("reach me at (555) 123-4567", "pii.phone", "[PHONE]"),
    ("card 4111 1111 1111 1111 was charged twice", "pii.card", "[CARD]"),
    ("send it to GB82 WEST 1234 5698 7654 32", "pii.iban", "[IBAN]"),
    ("マイナンバーは123456789018です", "pii.my_number", "[MY_NUMBER]"),
    ("my ssn is 123-45-6789", "pii.ssn", "[SSN]"),
    ("login from 203.0.113.42 failed", "pii.ip", "[IP]"),
    ("ipv6 2001:db8:85a3::8a2e:370:7334 was blocked", "pii.ip", "[IP]"),
])
def test_pii_redacted_and_flagged(pii_guard, text, code, placeholder):
    ctx = ScanContext()
    out = pii_guard.run(text, ctx)
    assert out.verdict == "flag"
    assert code in out.reasons
    assert placeholder in out.text
    assert NOTE_PII in out.notes


@pytest.mark.parametrize("text,code", [
    ("our bot token is xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "secret.slack_token"),
    ("app token xapp-1-A0123456789-1234567890123-abcdef0123456789abcdef", "secret.slack_token"),
    ("discord: MTA4NzY1NDMyMTA5ODc2NTQzMg.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789", "secret.discord_token"),
    ("aws key AKIAIOSFODNN7EXAMPLE", "secret.aws_key"),
    ("here: 8f3kL9qZ2xV7mN4pR6tY1wB5cH0jD3sAq", "secret.generic"),
    ("my password is hunter2", "secret.password"),
    ("パスワードはabc123です", "secret.password"),
])
def test_secrets_redacted_with_note(pii_guard, text, code):
    out = pii_guard.run(text, ScanContext())
    assert out.verdict == "flag"
    assert code in out.reasons
    assert NOTE_SECRET in out.notes
    assert "[SECRET]" in out.text or "[PASSWORD]" in out.text


@pytest.mark.parametrize("text", [
    "My password is not working",
    "Why was my card declined on 2024-03-15?",
    "version 1.2.3.4 of the app crashes",
    "order 12345678 has not arrived",
    "commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a3f broke the build",
    "card 4111 1111 1111 1112 is not a valid number",
])
def test_no_false_redaction(pii_guard, text):
    out = pii_guard.run(text, ScanContext())
    assert out.verdict == "pass" and out.text == text


def test_checksums():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("GB82WEST12345698765432") and not iban_ok("GB82WEST12345698765433")
    assert my_number_ok("123456789018") and not my_number_ok("123456789012")


def test_redact_pii_for_logs():
    raw = "I'm jane@example.com, card 4111111111111111, token xoxp-1234567890-abcdefghijkl"
    red = redact_pii(raw)
    assert "jane@" not in red and "4111" not in red and "xoxp" not in red
    assert "[EMAIL]" in red and "[CARD]" in red and "[SECRET]" in red


@pytest.mark.skipif(not (SHARED_DATA / "pii").is_dir(), reason="../shared/data absent")
def test_presidio_precision_recall():
    from bot.dev import datasets as D
    from bot.dev.measure_pii import measure

    table = measure(D.presidio(D.data_dir()))
    for entity in ("EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS", "PHONE_NUMBER"):
        assert table[entity]["precision"] >= 0.9, (entity, table[entity])
        assert table[entity]["recall"] >= 0.85, (entity, table[entity])
