"""QR payloads: round trips, and every damaged, foreign or forged text is refused."""

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanpipe.domain.payload import Fault, Payload, PayloadKind, Rejected, encode_payload, parse_payload

KEY = b"scanpipe:TEST"
codes = st.from_regex(r"[A-Z0-9][A-Z0-9-]{0,23}", fullmatch=True)
serials = st.integers(min_value=1, max_value=999_999_999).map(str)


@st.composite
def payloads(draw):
    kind = draw(st.sampled_from(list(PayloadKind)))
    subject = draw(serials if kind.has_serial else codes)
    return Payload(kind, draw(codes), subject)


@given(payloads())
def test_round_trip(payload):
    text = encode_payload(payload, KEY)
    assert parse_payload(text, payload.campaign, KEY) == payload
    # Only QR alphanumeric-mode characters, so codes stay small.
    assert set(text) <= set(string.ascii_uppercase + string.digits + ":-")


ALPHABET = string.ascii_uppercase + string.digits + ":-/ .a"


@settings(max_examples=400)
@given(payloads(), st.data())
def test_any_single_character_change_is_detected(payload, data):
    text = encode_payload(payload, KEY)
    index = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.sampled_from(ALPHABET).filter(lambda c: c != text[index]))
    damaged = text[:index] + replacement + text[index + 1:]
    assert isinstance(parse_payload(damaged, payload.campaign, KEY), Rejected)


@settings(max_examples=200)
@given(payloads(), st.data())
def test_a_dropped_or_added_character_is_detected(payload, data):
    text = encode_payload(payload, KEY)
    index = data.draw(st.integers(0, len(text) - 1))
    dropped = text[:index] + text[index + 1:]
    added = text[:index] + data.draw(st.sampled_from(ALPHABET)) + text[index:]
    assert isinstance(parse_payload(dropped, payload.campaign, KEY), Rejected)
    assert isinstance(parse_payload(added, payload.campaign, KEY), Rejected)


@pytest.mark.parametrize("text,fault", [
    ("https://www.amnesty.be/marathon", Fault.FOREIGN),
    ("4006381333931", Fault.FOREIGN),
    ("", Fault.FOREIGN),
    ("SP2:L:MDL2021:CAAL:ABCDEFGH", Fault.UNSUPPORTED_VERSION),
    ("SP1:L:MDL2021:CAAL", Fault.MALFORMED),           # truncated: no check
    ("SP1:X:MDL2021:CAAL:ABCDEFGH", Fault.MALFORMED),  # unknown kind
    ("SP1:K:MDL2021:007:ABCDEFGH", Fault.MALFORMED),   # leading zero in a serial
    ("sp1:l:mdl2021:caal:abcdefgh", Fault.MALFORMED),  # case changed by a keyboard
    ("SP1:L:MDL2022:CAAL:ABCDEFGH", Fault.WRONG_CAMPAIGN),
    ("SP1:L:MDL2021:CAAL:ABCDEFGH", Fault.BAD_CHECK),
])
def test_refusals(text, fault):
    result = parse_payload(text, "MDL2021", KEY)
    assert isinstance(result, Rejected) and result.fault is fault


def test_forged_without_the_secret_is_refused():
    payload = Payload(PayloadKind.LETTER, "MDL2021", "CAAL")
    forged = encode_payload(payload, b"scanpipe:MDL2021")  # the public default key
    result = parse_payload(forged, "MDL2021", b"the office's secret")
    assert isinstance(result, Rejected) and result.fault is Fault.BAD_CHECK


def test_encode_refuses_out_of_format_values():
    with pytest.raises(ValueError):
        encode_payload(Payload(PayloadKind.KIT, "MDL2021", "CAAL"), KEY)
    with pytest.raises(ValueError):
        encode_payload(Payload(PayloadKind.LETTER, "MDL:2021", "CAAL"), KEY)
