"""TRACK2_TRUSTED_PROXIES: the only proxies whose X-Forwarded-For sets the address the limits count."""

import pytest

from track2.config import ConfigError, load


def test_no_proxy_is_trusted_unless_configured(tmp_path):
    assert load({"TRACK2_HOME": str(tmp_path)}).trusted_proxies == ()


def test_addresses_and_networks_are_read(tmp_path):
    config = load(
        {"TRACK2_HOME": str(tmp_path), "TRACK2_TRUSTED_PROXIES": " 127.0.0.1, 10.0.0.0/24 ,::1"}
    )
    assert config.trusted_proxies == ("127.0.0.1/32", "10.0.0.0/24", "::1/128")


@pytest.mark.parametrize(
    "value", ["proxy.example.org", "10.0.0.0/33", "127.0.0.1\x00", "１２７.0.0.1"]
)
def test_a_bad_proxy_address_is_refused_with_advice(tmp_path, value):
    with pytest.raises(ConfigError, match="not an IP address or network; use e.g."):
        load({"TRACK2_HOME": str(tmp_path), "TRACK2_TRUSTED_PROXIES": value})
