"""The workstation on a real mailbox, as a new user tries it: a mail sent to the mailbox
appears, is answered from the composer, and the answer is in the sender's mailbox once; the
customer's answer to it arrives in the same conversation while the app runs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from deskterm.app import create_app
from deskterm.app.sync_runner import SyncRunner
from deskterm.widgets.inbox_list import InboxList
from deskterm.widgets.status_bar import StatusBar
from tests.app.conftest import SIZE, quiet_settings, until
from tests.integration.conftest import MailServer
from tests.integration.mailbox import Desk, mails, new_address, submit
from tests.mail import corpus

pytestmark = pytest.mark.integration


async def test_a_mail_appears_is_answered_once_and_the_answer_threads_back(
    mail_server: MailServer, tmp_path: Path
) -> None:
    desk = Desk.open(mail_server, tmp_path / "desk.db")
    lea = new_address("lea")
    submit(
        mail_server, lea, desk.address, corpus.plain(sender=f"Léa Martin <{lea}>", to=desk.address)
    )
    me = desk.store.agent(desk.engine.local_agent_id() or 0)
    assert me is not None
    runner = SyncRunner(desk.engine, interval=60, drain_every=0.1)
    app = create_app(desk.store, quiet_settings(), agent_email=me.email, sync_runner=runner)
    async with app.run_test(size=SIZE) as pilot:
        inbox = app.screen.query_one(InboxList)
        await until(pilot, lambda: app.screen.query_one(StatusBar).sync_state == "synced")
        await until(pilot, lambda: inbox.cursor_id is not None)
        await until(pilot, lambda: app.screen.bundle is not None)
        assert app.screen.bundle.conversation.subject == "Il manque le pain"

        await pilot.press("r", *"Nous renvoyons le pain", "ctrl+s")

        async def received() -> list:
            return await asyncio.to_thread(mails, mail_server, lea)

        found: list = []
        for _ in range(300):
            found = await received()
            if found:
                break
            await pilot.pause(0.1)
        assert len(found) == 1
        assert b"Nous renvoyons le pain" in found[0][0]

        reply_id = next(
            line.split(b":", 1)[1].strip()
            for line in found[0][0].splitlines()
            if line.lower().startswith(b"message-id:")
        ).decode()
        answer = corpus.plain(sender=f"Léa Martin <{lea}>", to=desk.address,
                              subject="Re: Il manque le pain", body="Merci !",
                              in_reply_to=reply_id)  # fmt: skip
        await asyncio.to_thread(submit, mail_server, lea, desk.address, answer)
        # Pulls are a minute apart: the mailbox's IDLE brings it in.
        await until(pilot, lambda: len(desk.messages()) == 3)
        assert len(desk.conversations()) == 1
        app.sync_runner.shutdown()
    assert len(await asyncio.to_thread(mails, mail_server, lea)) == 1
    desk.store.close()
