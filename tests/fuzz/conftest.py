"""One site for the whole fuzz module (a broker, the hub with today's sample morning and a
kiosk): starting them per hypothesis example would spend the time budget on start-up."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from devtools.local_broker import Broker
from hub.service import HubService
from sync.topics import TopicTree
from tests.support.site import RecordingKiosk, start_hub, wait_for

TREE = TopicTree("acme", "main")

# How many hypothesis examples each topic class gets in `make test`; the soak
# (`python -m devtools fuzz`) sends 10^5 a class.
EXAMPLES = int(os.environ.get("KIOSK_FUZZ_EXAMPLES", "25"))


@dataclass
class FuzzSite:
    broker: Broker
    hub: HubService
    kiosk: RecordingKiosk
    publisher: mqtt.Client

    def publish_all(self, payloads: list[tuple[str, bytes, bool]]) -> None:
        infos = [self.publisher.publish(t, p, qos=1, retain=r) for t, p, r in payloads]
        for info in infos:
            info.wait_for_publish(10)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzSite]:
    root = tmp_path_factory.mktemp("fuzz")
    broker = Broker(root / "broker")
    broker.start()
    hub = start_hub(broker.settings(), root)
    kiosk = RecordingKiosk(broker.settings(), root).start()
    publisher = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="fuzzer", protocol=mqtt.MQTTv5)
    publisher.connect("127.0.0.1", broker.port)
    publisher.loop_start()
    try:
        wait_for(lambda: kiosk.appointments() == 27, what="the kiosk's schedule")
        yield FuzzSite(broker, hub, kiosk, publisher)
    finally:
        publisher.loop_stop()
        publisher.disconnect()
        kiosk.stop()
        hub.stop()
        broker.stop()
