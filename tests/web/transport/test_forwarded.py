"""Who a request is from behind a proxy on this machine: the hop the proxy appended, never what the client wrote."""

from lab.web.transport.forwarded import UNKNOWN_CLIENT, forwarded_client, is_local_peer


def test_the_client_is_the_right_most_hop_the_one_the_proxy_appended():
    assert forwarded_client("11.6.6.6", None) == "11.6.6.6"
    assert forwarded_client("11.1.1.1, 11.2.2.2,11.6.6.6", None) == "11.6.6.6"  # the left part is the client's own
    assert forwarded_client("11.1.1.1,11.6.6.6, 127.0.0.1", None) == "11.6.6.6"  # a local proxy in front of the tunnel


def test_forwarded_is_read_only_without_x_forwarded_for():
    assert forwarded_client(None, 'for=11.1.1.1, for="[2a00:1450::17]:4711";proto=https') == "2a00:1450::17"
    assert forwarded_client("11.6.6.6", "for=11.1.1.1") == "11.6.6.6"  # a client's own Forwarded chooses nothing


def test_addresses_are_spelt_one_way_so_one_client_is_one_key():
    assert forwarded_client("11.6.6.6:5000", None) == "11.6.6.6"
    assert forwarded_client("::ffff:11.6.6.6", None) == "11.6.6.6"
    assert forwarded_client("[2A00:1450:0:0::17]", None) == "2a00:1450::17"


def test_a_hop_that_names_no_client_of_the_internet_is_unknown():
    # Codespaces' forwarding (Dev Tunnels) appends an address of its own network, the same for many phones
    assert forwarded_client("10.0.3.7", None) == UNKNOWN_CLIENT
    assert forwarded_client("11.1.1.1, unknown", None) == UNKNOWN_CLIENT
    assert forwarded_client(None, "for=_hidden") == UNKNOWN_CLIENT
    assert forwarded_client("127.0.0.1", None) == UNKNOWN_CLIENT


def test_nothing_forwarded_is_none_and_only_this_machine_is_trusted_to_forward():
    assert forwarded_client(None, None) is None
    assert [is_local_peer(peer) for peer in ("127.0.0.1", "::1", "::ffff:127.0.0.1")] == [True] * 3
    assert [is_local_peer(peer) for peer in ("127.0.0.2", "192.168.1.20", "11.6.6.6")] == [False] * 3
