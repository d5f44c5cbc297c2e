"""Patient notifications: a provider set out, leaving early or running late reaches the
patients still to come by SMS (SMPP), e-mail (SMTP) or the site's own gateway (a webhook),
with consent, opt-out, quiet hours, caps, replies and receipts (docs/notifications.md).

* ``contacts``: a patient's phone, e-mail, consent, channel and language (hub-only).
* ``rules`` and ``texts``: what to tell whom, and in which words (pure).
* ``records``: every statement on the notification tables (``HubStore.notify``).
* ``channels``, ``smpp``, ``email``, ``webhook``: one adapter interface, three transports.
* ``notifier``: the ``notify`` worker that plans, sends, retries and escalates.

Nothing is imported here, so ``hub.store`` can import ``hub.notify.records`` without a cycle.
"""
