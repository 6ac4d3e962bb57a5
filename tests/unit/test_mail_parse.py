"""Reading real-world-shaped mails (made by tests/mail/corpus.py) into deskterm's messages."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from deskterm.backend.connectors.mail.parse import MAX_MAIL_BYTES, parse_mail
from deskterm.backend.connectors.mail.threads import (
    new_conversation_id,
    normalised_subject,
    reply_subject,
    subject_token,
)
from tests.mail import corpus


def test_plain_mail_gives_sender_subject_and_text() -> None:
    mail = parse_mail(corpus.plain(message_id="<m1@example.com>"))
    assert mail.from_name == "Léa Martin"
    assert mail.from_address == "lea@example.com"
    assert mail.subject == "Il manque le pain"
    assert mail.message_id == "<m1@example.com>"
    assert "il manque le pain dans ma commande 88213" in mail.text
    assert mail.automatic is None and mail.problem is None


def test_alternative_prefers_the_plain_part() -> None:
    mail = parse_mail(corpus.alternative("Texte brut ici", "<p>Version <b>HTML</b></p>"))
    assert "Texte brut ici" in mail.text
    assert "HTML" not in mail.text


def test_html_only_mail_is_made_readable_without_markup() -> None:
    html = "<html><body><p>Bonjour,</p><script>alert(1)</script><p>Ma facture ?</p></body></html>"
    mail = parse_mail(corpus.html_only(html))
    assert "Ma facture ?" in mail.text
    assert "<p>" not in mail.text and "alert" not in mail.text


def test_latin1_quoted_printable_and_rfc2047_headers() -> None:
    raw = corpus.legacy_charset(
        "Déjà reçu, merci. Coût : 12 €",
        "iso-8859-15",
        "quoted-printable",
        "=?iso-8859-1?q?Probl=E8me_de_livraison?=",
    )
    mail = parse_mail(raw)
    assert mail.subject == "Problème de livraison"
    assert mail.from_name == "Jérôme Guérin"
    assert "Déjà reçu, merci. Coût : 12 €" in mail.text


def test_windows_1252_labelled_as_latin1_keeps_curly_quotes_and_euro() -> None:
    body = "“Merci” – 10 €".encode("cp1252")
    raw = corpus.raw(
        "From: a@example.com\nSubject: x\nMessage-ID: <w@example.com>\n"
        "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n",
        body,
    )
    assert "“Merci” – 10 €" in parse_mail(raw).text


def test_base64_utf8_body() -> None:
    import base64

    raw = corpus.raw(
        "From: a@example.com\nSubject: =?utf-8?b?w4dhIG1hcmNoZQ==?=\nMessage-ID: <b@example.com>\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n",
        base64.encodebytes("Ça marche, 日本語 aussi".encode()),
    )
    mail = parse_mail(raw)
    assert mail.subject == "Ça marche"
    assert "Ça marche, 日本語 aussi" in mail.text


def test_unknown_charset_does_not_lose_the_text() -> None:
    raw = corpus.raw(
        "From: a@example.com\nSubject: x\nMessage-ID: <u@example.com>\n"
        "Content-Type: text/plain; charset=x-no-such-charset\n",
        "élan".encode(),
    )
    assert "élan" in parse_mail(raw).text


def test_attachments_are_listed_with_name_and_size() -> None:
    mail = parse_mail(
        corpus.with_attachments(
            [("colis abîmé.jpg", b"\xff\xd8" + b"x" * 1000, "image/jpeg"),
             ("facture.pdf", b"%PDF-1.4" + b"y" * 20, "application/pdf")]
        )
    )  # fmt: skip
    assert [(a.filename, a.size) for a in mail.attachments] == [
        ("colis abîmé.jpg", 1002),
        ("facture.pdf", 28),
    ]
    assert "Voir pièces jointes." in mail.text


def test_french_quoted_history_is_folded_and_the_signature_kept() -> None:
    body = (
        "Merci, c'est noté.\n\nCordialement,\nLéa Martin\n06 12 34 56 78\n\n"
        "Le lun. 3 nov. 2025 à 10:02, Support <support@shop.fr> a écrit :\n"
        "> Bonjour Léa,\n> Votre commande part demain.\n"
    )
    mail = parse_mail(corpus.plain(body=body))
    assert "Cordialement,\nLéa Martin\n06 12 34 56 78" in mail.text
    assert "Votre commande part demain" not in mail.text
    assert "quoted history folded away" in mail.text


def test_english_and_outlook_quoted_history_is_folded() -> None:
    english = "Thanks!\n\nOn Mon, Nov 3, 2025 at 10:02 AM Support <s@shop.com> wrote:\n> old news\n"
    outlook = (
        "Bonjour\n\n-----Message d'origine-----\nDe : Support\nEnvoyé : lundi\nÀ : Léa\n"
        "Objet : commande\n\nAncien texte"
    )
    assert "old news" not in parse_mail(corpus.plain(body=english)).text
    folded = parse_mail(corpus.plain(body=outlook)).text
    assert folded.startswith("Bonjour") and "Ancien texte" not in folded


def test_a_mail_that_is_all_quote_is_shown_whole() -> None:
    mail = parse_mail(corpus.plain(body="> only a quote\n> nothing new"))
    assert "only a quote" in mail.text


def test_automatic_mail_is_recognised() -> None:
    cases = {
        "Auto-Submitted": ("auto-replied", "an automatic reply"),
        "X-Autoreply": ("yes", "an automatic reply"),
        "Precedence": ("bulk", "a bulk or list mail"),
        "List-Id": ("<news.example.com>", "a mailing-list mail"),
    }
    for header, (value, reason) in cases.items():
        assert parse_mail(corpus.plain(headers={header: value})).automatic == reason, header
    assert parse_mail(corpus.plain(headers={"Auto-Submitted": "no"})).automatic is None
    assert parse_mail(corpus.plain(headers={"Return-Path": "<>"})).automatic == "a bounce"
    assert parse_mail(corpus.bounce("<x@example.com>")).automatic == "a bounce"


def test_a_mail_too_large_says_so() -> None:
    headers = corpus.plain(body="x").split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    mail = parse_mail(headers, size=25 * 1024 * 1024)
    assert mail.subject == "Il manque le pain"
    assert "25.0 MB, too large to import" in mail.text
    assert mail.problem is not None
    assert MAX_MAIL_BYTES < 25 * 1024 * 1024


def test_no_message_id_gets_a_stable_one() -> None:
    raw = corpus.raw("From: a@example.com\nSubject: hi\n", b"hello")
    assert parse_mail(raw).message_id == parse_mail(raw).message_id
    assert parse_mail(raw).message_id.endswith("@no-message-id.invalid>")


def test_hostile_headers_and_body_never_raise() -> None:
    raw = corpus.raw(
        "From: \x1b]0;pwned\x07 <<<@@>>>\nSubject: =?utf-8?q?=E2=80?= \x1b[2J\n"
        "Date: 31 Feb 99999 99:99\nMessage-ID: <<bad>>\nContent-Type: multipart/mixed\n",
        b"no boundary at all \x00\xff",
    )
    mail = parse_mail(raw)
    assert mail.message_id
    assert isinstance(mail.text, str)


def test_broken_multipart_still_lands() -> None:
    raw = corpus.raw(
        "From: a@example.com\nSubject: cut\nMessage-ID: <cut@example.com>\n"
        'Content-Type: multipart/alternative; boundary="zz"\n',
        b"--zz\r\nContent-Type: text/plain\r\n\r\nthe start of a cut mail",
    )
    assert "the start of a cut mail" in parse_mail(raw).text


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_parse_without_raising(data: bytes) -> None:
    mail = parse_mail(data)
    assert mail.message_id.startswith("<")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_body_parses_without_raising(body: str) -> None:
    mail = parse_mail(corpus.plain(body=body))
    assert isinstance(mail.text, str)


def test_subjects_normalise_across_french_and_english_prefixes() -> None:
    base = normalised_subject("Il manque le pain")
    subjects = [
        "Re: Il manque le pain",
        "RE : Il manque le pain",
        "TR: Fwd: il manque  le pain",
        "Re[2]: Réf : Il manque le pain",
        "Fw: RE: Il manque le pain [#ABCDEFGHIJ]",
    ]
    for subject in subjects:
        assert normalised_subject(subject) == base, subject


def test_reply_subject_carries_one_prefix_and_the_token() -> None:
    conv = new_conversation_id("<m1@example.com>")
    subject = reply_subject("RE: Re: Il manque le pain", conv)
    assert subject.startswith("Re: Il manque le pain [#")
    assert subject_token(subject) == conv
    assert reply_subject(subject, conv) == subject
