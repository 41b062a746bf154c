"""Messages to people outside the platform's office: email, SMS, postal letters (one way for every service).

A service that must tell a person something writes a row of its ``notifications`` table
(:mod:`shared.outgoing.outbox`) in the same transaction as the event that causes it, so a message
exists exactly when its cause does: a redelivered event is skipped by the projection runner before
it could queue a second one. A :class:`~shared.outgoing.sender.Sender` (started by the service
process, see :mod:`shared.outgoing.wiring`) delivers the rows by email (:mod:`.email`) or SMS
(:mod:`.sms`) with retries and backoff, and records each outcome; :mod:`.letters` prints the
postal ones as one PDF per platform and day. Residents' contact details and links stay sealed
with the resident's key until the moment of sending and are never logged; erasing a resident
cancels the messages not yet sent.
"""
