"""The practice's phone line over SIP: a kiosk without a screen that answers the phone
(docs/phone.md). Wire codecs (``sip``, ``sdp``, ``rtp``, ``g711``) and the call's script
(``script``) are pure; ``line`` and ``call`` are the asyncio edges; ``service`` joins the
sync protocol."""

__all__: list[str] = []
