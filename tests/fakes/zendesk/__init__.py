"""A fake Zendesk Support account served over HTTP on loopback (see ``server``)."""
