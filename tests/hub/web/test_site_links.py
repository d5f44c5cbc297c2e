"""The Kiosks page shows each site's link to the group's central broker (the bridge
state the hub reads, ``$SYS/broker/connection/<bridge>/state``)."""

from __future__ import annotations

import httpx

from sync.link import LinkEvent
from tests.hub.web.conftest import Practice
from tests.hub.web.test_pages_http import signed_in
from tests.support.site import wait_for


def test_the_kiosks_page_shows_each_sites_link(practice: Practice) -> None:
    hub = practice.hub
    client: httpx.Client = signed_in(practice)
    try:
        assert 'id="uplinks-title"' not in client.get("/part/kiosks").text  # a single clinic: no links
        for bridge, state in (("bridge-north", b"1"), ("bridge-south", b"0"), ("bridge-east", b"junk")):
            hub.on_link_event(LinkEvent("message", f"$SYS/broker/connection/{bridge}/state", state))
        wait_for(lambda: len(hub.uplinks.all()) == 2, what="the two states noted")
        part = client.get("/part/kiosks").text
        assert 'id="uplink-bridge-north">north: <span class="state state-on_time">up</span>' in part
        assert 'id="uplink-bridge-south">south: <span class="state state-out">down</span>' in part
        assert "east" not in part  # a malformed state is no state
        assert not hub.call(lambda s: s.rejections())  # not counted as a bad kiosk message
    finally:
        client.close()
