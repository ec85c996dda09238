"""Threads on every record (task, contribution, proposal, norm version, distribution) and the
commons forum's topics: one app attaches a thread to any object, as the audit log names its
subject."""
