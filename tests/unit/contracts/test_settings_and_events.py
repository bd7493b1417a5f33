import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.errors import InvalidEventError
from contracts.events import parse_event
from contracts.settings import Settings


def test_nested_settings_come_from_prefixed_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COPYSTREAM_KAFKA__PORT", "39092")
    monkeypatch.setenv("COPYSTREAM_FEAST__ONLINE_STORE", "redis")
    settings = Settings()
    assert settings.kafka.bootstrap_servers == "127.0.0.1:39092"
    assert settings.feast.online_store == "redis"


def test_unknown_setting_is_rejected(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COPYSTREAM_KAFKA__PROT", "1")
    with pytest.raises(ValueError, match="prot"):
        Settings()


def test_settings_survive_the_trip_to_a_child_process_environment(
    monkeypatch: pytest.MonkeyPatch,
):
    original = Settings(kafka={"port": 1234}, redis={"password": "s3cret"})
    for key, value in original.to_env().items():
        monkeypatch.setenv(key, value)
    rebuilt = Settings()
    assert rebuilt == original
    assert rebuilt.redis.password is not None
    assert rebuilt.redis.password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(rebuilt)


@given(st.binary(max_size=300))
def test_parse_event_never_raises_anything_but_invalid_event_error(raw: bytes):
    try:
        parse_event(raw)
    except InvalidEventError as exc:
        assert exc.reason and exc.error_type


def test_timestamps_are_normalised_to_utc_and_naive_ones_rejected():
    doc = {
        "event_id": "e",
        "user_id": "u",
        "session_id": "s",
        "channel": "web",
        "locale": "en",
        "type": "search",
        "query": "q",
        "ts": "2026-01-01T08:00:00+08:00",
    }
    assert parse_event(json.dumps(doc)).ts.isoformat() == "2026-01-01T00:00:00+00:00"
    doc["ts"] = "2026-01-01T08:00:00"
    with pytest.raises(InvalidEventError, match="ts"):
        parse_event(json.dumps(doc))
