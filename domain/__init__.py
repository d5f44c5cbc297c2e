"""The check-in and staff domain: plain Python over the protocol's messages, no Qt, no I/O.

The check-in flow that touch and voice both drive, lookup, wait estimates, the impact of a
status change, staff identity, the admin session and the admin panel's page state, the
provider board. Every module takes its clock and its collaborators injected.
"""
