"""The base every package stands on: errors, injected time, JSON logs, systemd, workers.

Imports nothing of the project's other packages (see docs/architecture.md).
"""
