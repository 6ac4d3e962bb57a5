"""The email connector's first sync of a large mailbox, against a real Dovecot.

The bench starts its own mail server on loopback (``scripts/mail-server``, state in
``bench/out/mail``), delivers N mails to one mailbox's maildir (a mix: plain French and English
mails, multipart/alternative, small attachments, Latin-1 quoted-printable, and every third a
reply to an earlier mail, so threading by Message-ID does real work), then times
``SyncEngine.pull`` into an empty mirror, as ``deskterm sync`` does: mails per second.

Then **arrival**: with the engine running as in the app (its loop in a thread, pulls an hour
apart so that only the IMAP IDLE watch can bring mail in), one mail at a time is sent through
the SMTP server to the mailbox; the time from the SMTP server's acceptance to the
conversation's row in the mirror (read by a second connection, as the workstation's live
poll does) is measured, ``--arrivals`` times.

Usage: python bench/bench_mail.py [--mails 10000] [--arrivals 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.integration.conftest import MailServer  # noqa: E402
from tests.integration.mailbox import imap, options, submit  # noqa: E402
from tests.mail import corpus  # noqa: E402

from deskterm.backend.connectors.mail import EmailConnector  # noqa: E402
from deskterm.backend.store import Store  # noqa: E402
from deskterm.backend.sync import SyncEngine  # noqa: E402


def _mail(i: int, ids: list[str]) -> bytes:
    sender = f"Client {i % 700} <client{i % 700}@example.com>"
    if i % 3 == 2 and ids:
        earlier = ids[(i * 7) % len(ids)]
        body = f"Toujours rien pour la commande {i}.\n\nLe lun. a écrit :\n> avant"
        return corpus.plain(sender=sender, subject=f"Re: Commande {i % 700}", body=body,
                            in_reply_to=earlier, references=earlier)  # fmt: skip
    kind = i % 4
    if kind == 0:
        return corpus.plain(sender=sender, subject=f"Commande {i % 700}", body=f"Bonjour {i}")
    if kind == 1:
        return corpus.alternative(f"Hello {i}", f"<p>Hello <b>{i}</b></p>", f"Order {i}")
    if kind == 2:
        return corpus.with_attachments([(f"photo{i}.jpg", b"\xff\xd8" + b"x" * 2000, "image/jpeg")])
    return corpus.legacy_charset(f"Déjà payé {i} francs", "iso-8859-1", "quoted-printable",
                                 "=?iso-8859-1?q?Re=E7u?=")  # fmt: skip


def _deliver(server: MailServer, state: Path, user: str, count: int) -> int:
    """Deliver ``count`` mails as a local delivery agent does: one file each in the
    mailbox's maildir ``new/``. Then one IMAP session lets Dovecot index them, so that the
    timed sync measures deskterm, not Dovecot's first scan."""
    client = imap(server, user)  # creates the mailbox
    client.select_folder("INBOX", readonly=True)
    client.logout()
    maildir = state / "mail" / user / "new"
    owner = maildir.parent.stat()
    ids: list[str] = []
    for i in range(count):
        raw = _mail(i, ids)
        ids.append(corpus.as_id(raw))
        path = maildir / f"{1_700_000_000 + i}.M{i}P1.bench"
        path.write_bytes(raw.replace(b"\r\n", b"\n"))
        os.chown(path, owner.st_uid, owner.st_gid)
    client = imap(server, user)
    seen = client.select_folder("INBOX", readonly=True)[b"EXISTS"]
    client.logout()
    return int(seen)


def _arrivals(
    server: MailServer, user: str, engine: SyncEngine, path: Path, count: int
) -> list[float]:
    reader = Store(path)
    stop = threading.Event()
    loop = threading.Thread(target=engine.run, args=(stop,), kwargs={"interval": 3600})
    loop.start()
    times: list[float] = []
    try:
        time.sleep(3)  # the loop's first pull and the watch's idle are set up
        for i in range(count):
            before = reader.conn.execute("SELECT count(*) FROM messages").fetchone()[0]
            raw = corpus.plain(sender=f"new{i}@example.com", to=user, subject=f"Arrivée {i}")
            submit(server, f"new{i}@example.com", user, raw)
            sent = time.perf_counter()
            deadline = sent + 60
            while time.perf_counter() < deadline:
                if reader.conn.execute("SELECT count(*) FROM messages").fetchone()[0] > before:
                    times.append(time.perf_counter() - sent)
                    break
                time.sleep(0.005)
            time.sleep(0.2)
    finally:
        stop.set()
        loop.join(30)
        reader.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--arrivals", type=int, default=20)
    args = parser.parse_args()
    state = OUT / "mail"
    state.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DESKTERM_MAIL_DIR": str(state), "DESKTERM_MAIL_PYTHON": sys.executable}
    subprocess.run([str(ROOT / "scripts" / "mail-server"), "start"], env=env, check=True)
    try:
        values = dict(
            line.split("=", 1) for line in (state / "env").read_text().splitlines() if "=" in line
        )
        server = MailServer(values["MAIL_HOST"], int(values["MAIL_IMAP_PORT"]),
                            int(values["MAIL_SMTP_PORT"]), values["MAIL_PASSWORD"],
                            values["MAIL_CA_FILE"], env)  # fmt: skip
        user = f"bench-{int(time.time())}@deskterm.test"
        started = time.perf_counter()
        filled_mails = _deliver(server, state, user, args.mails)
        filled = time.perf_counter() - started

        with tempfile.TemporaryDirectory() as folder:
            store = Store(Path(folder) / "mirror.db")
            engine = SyncEngine(store, EmailConnector.from_options(options(server, user)))
            engine.identify()
            started = time.perf_counter()
            report = engine.pull()
            took = time.perf_counter() - started
            conversations = store.conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
            messages = store.conn.execute("SELECT count(*) FROM messages").fetchone()[0]
            arrivals = _arrivals(server, user, engine, Path(folder) / "mirror.db", args.arrivals)
            store.close()
        result = {
            "mails": args.mails,
            "mails_in_folder": filled_mails,
            "deliver_and_index_seconds": round(filled, 1),
            "first_sync_seconds": round(took, 1),
            "mails_per_second": round(args.mails / took),
            "conversations": conversations,
            "messages": messages,
            "pulled": report.conversations,
            "arrival_median_ms": round(statistics.median(arrivals) * 1000),
            "arrival_max_ms": round(max(arrivals) * 1000),
            "arrivals": len(arrivals),
        }
        print(json.dumps(result, indent=2))
        (OUT / "bench_mail.json").write_text(json.dumps(result, indent=2))
    finally:
        subprocess.run([str(ROOT / "scripts" / "mail-server"), "stop"], env=env, check=False)


if __name__ == "__main__":
    main()
