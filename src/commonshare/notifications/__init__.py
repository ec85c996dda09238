"""Notifications: in-app and by e-mail, made from audit events after they commit."""
