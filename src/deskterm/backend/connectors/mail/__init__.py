"""A support mailbox behind the connector protocol: mail in by IMAP, replies out by SMTP."""

from deskterm.backend.connectors.mail.connector import EmailConnector

__all__ = ["EmailConnector"]
