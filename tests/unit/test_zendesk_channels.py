"""Zendesk's via.channel read as deskterm's channels: messaging apps are instant."""

from __future__ import annotations

import pytest

from deskterm.backend.connectors.zendesk_tickets import CHANNELS, channel_of
from deskterm.domain.models import Channel


@pytest.mark.parametrize(
    ("via", "channel"),
    [
        ("email", Channel.EMAIL),
        ("web", Channel.FORM),
        ("mobile", Channel.FORM),
        ("api", Channel.EMAIL),
        ("chat", Channel.CHAT),
        ("native_messaging", Channel.CHAT),
        ("sms", Channel.CHAT),
        ("whatsapp", Channel.WHATSAPP),
        ("instagram_dm", Channel.SOCIAL),
        ("facebook", Channel.SOCIAL),
        ("twitter", Channel.SOCIAL),
        ("voice", Channel.PHONE),
    ],
)
def test_via_channels(via: str, channel: Channel) -> None:
    assert channel_of({"via": {"channel": via, "source": {}}}) == channel


def test_messaging_channels_are_instant_and_written_ones_are_not() -> None:
    messaging = {"chat", "native_messaging", "sms", "whatsapp", "instagram_dm", "facebook",
                 "messenger", "twitter", "line", "wechat", "telegram", "viber", "kakaotalk",
                 "apple_business_chat", "google_rcs"}  # fmt: skip
    for via, channel in CHANNELS.items():
        assert channel.instant == (via in messaging), via


def test_an_unknown_channel_is_email_unless_it_came_from_messaging() -> None:
    assert channel_of({"via": {"channel": "some_new_channel"}}) == Channel.EMAIL
    unknown_messaging = {"via": {"channel": "some_new_app"}, "from_messaging_channel": True}
    assert channel_of(unknown_messaging) == Channel.CHAT
    assert channel_of({}) == Channel.FORM  # no via: Zendesk's default, the web form
    assert channel_of({"via": None}) == Channel.FORM
