"""The small talk around a thread: greetings and signatures per channel, customers' follow-ups
("merci !", "still nothing…"), agents' closings, notes on timed snoozes, and the vague first
messages ("I have a problem with my order") an agent answers by asking for details."""

from __future__ import annotations

from collections.abc import Mapping
from random import Random

from deskterm.backend.demo.situation import Situation
from deskterm.backend.demo.wording import fill
from deskterm.domain.models import Channel

THANKS = {
    "fr": (
        "merci !", "Merci beaucoup !", "Super, merci 🙏", "Parfait, merci pour la rapidité",
        "ok merci", "Top, merci bien", "Merci, bonne soirée à vous",
    ),
    "en": (
        "thanks!", "Thank you so much!", "great, thanks 🙏", "Perfect, thanks for the quick answer",
        "ok thanks", "Brilliant, cheers", "Thanks, have a good evening",
    ),
}  # fmt: skip

STILL_WAITING = {
    "fr": (
        "toujours rien…",
        "Bonjour ? Il y a quelqu'un ?",
        "Je n'ai toujours pas de réponse…",
        "??",
    ),
    "en": ("still nothing…", "hello? anyone there?", "Still no answer…", "??"),
}

#: After an agent's answer, about a delivery that still has not come: the food is missing,
#: not the answer (never STILL_WAITING once someone has answered).
NOT_ARRIVED = {
    "fr": (
        "Toujours pas de livreur en vue…",
        "Merci, mais ce n'est toujours pas arrivé.",
        "Ok, j'attends alors. Rien pour l'instant.",
    ),
    "en": (
        "Still no sign of the courier…",
        "Thanks, but it still hasn't arrived.",
        "OK, I'll wait then. Nothing yet.",
    ),
}

#: The customer sends what the agent asked for (a photo, the details).
DETAILS = {
    "fr": (
        "Voici la photo du sac et du ticket.",
        "Voilà 📎",
        "Je vous envoie la photo, dites-moi si c'est lisible.",
    ),
    "en": (
        "Here's the photo of the bag and the receipt.",
        "There you go 📎",
        "Photo attached, let me know if you can read it.",
    ),
}

QUESTIONS = {
    "fr": (
        "D'accord, et je dois faire quelque chose de mon côté ?",
        "Ok mais c'est pour quand exactement ?",
        "Merci. Et pour la prochaine commande, ça sera bon ?",
        "Et ça prend combien de temps, en général ?",
        "Vous pouvez me confirmer par écrit ?",
    ),
    "en": (
        "OK, do I need to do anything on my side?",
        "OK but when exactly?",
        "Thanks. Will it be fine for my next order?",
        "And how long does that usually take?",
        "Can you confirm that in writing?",
    ),
}

#: Situations where a delivery has not come (the customer's follow-up is about the food).
UNDELIVERED_TAGS = ("late-delivery", "missing-item")
#: Situations with nothing to ask about (a compliment): the customer's follow-up is thanks.
NOTHING_TO_ASK_TAGS = ("compliment",)


def follow_ups(tags: str | tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    """What a customer may write after an agent's answer that asked nothing, by situation
    (``tags``: the conversation's tags, or one situation's tag)."""
    found = set(tags.split()) if isinstance(tags, str) else set(tags)
    if found & set(UNDELIVERED_TAGS):
        return NOT_ARRIVED
    if found & set(NOTHING_TO_ASK_TAGS):
        return THANKS
    return QUESTIONS


CLOSINGS = {
    "fr": (
        "Avec plaisir {first_name}, bonne soirée !",
        "Je vous en prie, bon appétit !",
        "Avec plaisir, à bientôt chez Popote !",
    ),
    "en": (
        "You're welcome {first_name}, have a good evening!",
        "My pleasure, enjoy your meal!",
        "Anytime, see you soon at Popote!",
    ),
}

ANSWERS = {
    "fr": (
        "Rien à faire de votre côté, tout est réglé. N'hésitez pas si besoin !",
        "C'est bien pris en compte, vous verrez le changement d'ici ce soir.",
        "Oui, je vous le confirme : c'est noté dans votre dossier.",
    ),
    "en": (
        "Nothing to do on your side, it's all sorted. Just shout if you need anything!",
        "It's all in hand, you'll see the change by tonight.",
        "Yes, I confirm: it's noted on your account.",
    ),
}

ASK_PHOTO = {
    "fr": ("Pourriez-vous m'envoyer une photo du sac et du ticket ? Je regarde dès que je l'ai.",),
    "en": (
        "Could you send me a photo of the bag and the receipt? I'll look as soon as I have it.",
    ),
}

SNOOZE_NOTES = {
    "fr": (
        "En attente du retour de la cuisine, je relance demain matin.",
        "Remboursement en cours côté banque, je vérifie dans 2 jours.",
        "J'attends la réponse de l'équipe de l'appli (APP-{ticket}).",
    ),
    "en": (
        "Waiting on the kitchen's answer, checking again tomorrow morning.",
        "Refund pending at the bank, checking back in 2 days.",
        "Waiting on the app team (APP-{ticket}).",
    ),
}
SNOOZE_REASONS = ("waiting on the kitchen", "check the refund", "waiting on the app team")

EMAIL_OPENERS = {
    "fr": ("Bonjour,\n\n", "Bonjour à l'équipe Popote,\n\n", "Madame, Monsieur,\n\n", ""),
    "en": ("Hi,\n\n", "Hello Popote team,\n\n", "Hi there,\n\n", ""),
}
GREETINGS = ("Hi", "Hello", "Hey", "Bonjour", "Bonsoir", "Allô")
EMAIL_SIGNATURES = {
    "fr": (
        "\n\nCordialement,\n{full_name}",
        "\n\nMerci d'avance,\n{first_name}",
        "\n\n{full_name}",
    ),
    "en": ("\n\nThanks,\n{first_name}", "\n\nBest regards,\n{full_name}", "\n\n{full_name}"),
}


def customer_text(
    rng: Random, text: str, channel: Channel, language: str, slots: dict[str, str], first: bool
) -> str:
    """A customer's words as they arrive on a channel: an email has a greeting and a
    signature, a contact form its fields, a phone call is the agent's summary."""
    if channel is Channel.EMAIL:
        if not first:
            return f"{text}\n\n{slots['first_name']}"
        greeted = text.startswith(GREETINGS)
        opener = "" if greeted else rng.choice(EMAIL_OPENERS[language])
        return opener + text + fill(rng.choice(EMAIL_SIGNATURES[language]), slots)
    if channel is Channel.FORM and first:
        order = slots["order"] if slots.get("order_known") else "—"
        if language == "fr":
            return f"Commande : {order}\nMessage : {text}"
        return f"Order: {order}\nMessage: {text}"
    if channel is Channel.PHONE and first:
        if language == "fr":
            return f"(Appel téléphonique) Le client explique : « {text} »"
        return f'(Phone call) The customer says: "{text}"'
    return text


def agent_text(text: str, channel: Channel, language: str, slots: dict[str, str]) -> str:
    """An agent's own words with a greeting and their first name, in the customer's language."""
    name, agent = slots["first_name"], slots["agent"]
    if channel.instant:
        hello = f"Bonjour {name} ! " if language == "fr" else f"Hi {name}! "
        return f"{hello}{text}\n{agent}"
    if language == "fr":
        return f"Bonjour {name},\n\n{text}\n\nBonne journée,\n{agent}\nService client Popote"
    return f"Hi {name},\n\n{text}\n\nBest,\n{agent}\nPopote customer care"


def short_agent_text(text: str, slots: dict[str, str]) -> str:
    """A one-line answer in a running thread, signed."""
    return f"{text}\n{slots['agent']}"


#: First messages that say too little: the agent asks for details, then the real story comes.
VAGUE = Situation(
    "vague",
    "",
    5,
    None,
    subjects={
        "fr": ("Problème commande", "Besoin d'aide", "Réclamation"),
        "en": ("Problem with my order", "Need help", "Complaint"),
    },
    first={
        "fr": (
            "Bonjour, j'ai un souci avec ma commande.",
            "Allô ? j'ai un problème",
            "Bonjour, ma commande d'hier ne va pas du tout.",
            "Bonjour, je ne suis pas satisfait de ma dernière livraison.",
        ),
        "en": (
            "Hi, I have a problem with my order.",
            "hello? something went wrong",
            "Hello, yesterday's order was not OK at all.",
            "Hi, I'm not happy with my last delivery.",
        ),
    },
    replies={"fr": (), "en": ()},
    notes={"fr": (), "en": ()},
    macros=("ask_details", "ask_details", "ask_order_number"),
)
