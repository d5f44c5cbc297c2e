from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from config.settings import HubNotifySettings, Settings
from devtools.smsc_sim import SmscSim
from tests.support.mail import SmtpSink


@pytest.fixture
def smsc() -> Iterator[SmscSim]:
    sim = SmscSim().start()
    yield sim
    sim.stop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def with_notify(
    settings: Settings, smsc: SmscSim, smtp: SmtpSink | None = None, **overrides: object
) -> Settings:
    """``settings`` with notifications on, through the test SMSC (and SMTP sink)."""
    notify = HubNotifySettings(
        enabled=True,
        practice_name="Riverside Family Practice",
        smpp_host="127.0.0.1",
        smpp_port=smsc.port,
        smpp_system_id=smsc.system_id,
        smpp_password=smsc.password,
        smpp_source_addr="RIVERSIDE",
        smtp_host="127.0.0.1" if smtp else "",
        smtp_port=smtp.port if smtp else 587,
        smtp_ca_file=smtp.ca_file if smtp else "",
        smtp_from="frontdesk@riverside.example.org",
        merge_window_s=0.2,
        retry_min_s=0.1,
        retry_max_s=0.5,
        in_doubt_s=1.0,
    )
    return replace(settings, hub=replace(settings.hub, notify=replace(notify, **overrides)))  # type: ignore[arg-type]
