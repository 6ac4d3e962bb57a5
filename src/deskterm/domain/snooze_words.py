"""The English and French words the snooze parser understands, already normalised.

Normalised means lower case, no accents, apostrophes and hyphens between letters turned into
spaces: "jusqu'à réponse" is "jusqu a reponse", "après-demain" is "apres demain".
"""

from __future__ import annotations

from datetime import time

#: "This afternoon" and the afternoon of a named day.
AFTERNOON = time(14)

UNTIL_REPLY_PHRASES = frozenset(
    {
        "reply",
        "replies",
        "response",
        "until reply",
        "until replied",
        "until response",
        "until answer",
        "until they reply",
        "until customer replies",
        "until customer reply",
        "until the customer replies",
        "until the customer answers",
        "wait for reply",
        "waiting for reply",
        "reponse",
        "jusqu a reponse",
        "jusqu a la reponse",
        "jusqu a reponse du client",
        "jusqu a la reponse du client",
        "jusqu a ce que le client reponde",
        "attente reponse",
        "en attente de reponse",
        "until they answer",
        "until he replies",
        "until she replies",
        "until the customer writes",
        "until they write back",
        "jusqu a sa reponse",
        "jusqu a leur reponse",
        "jusqu a la reponse de la cliente",
        "jusqu a ce qu il reponde",
        "jusqu a ce qu elle reponde",
        "jusqu a ce qu ils repondent",
        "jusqu a ce que la cliente reponde",
        "jusqu a ce qu on nous reponde",
        "jusqu a son retour",
        "sa reponse",
        "en attente du client",
        "en attente de la cliente",
        "en attente de sa reponse",
        "en attente de la reponse",
        "en attente de la reponse du client",
        "attendre la reponse",
        "attendre sa reponse",
        "attente client",
        "quand il repond",
        "quand elle repond",
        "quand le client repond",
        "quand la cliente repond",
    }
)

#: Phrases that take the conversation out of snooze at once: it is back in the inbox.
WAKE_PHRASES = frozenset(
    {
        "now",
        "wake",
        "wake now",
        "wake up",
        "wake it",
        "wake it up",
        "unsnooze",
        "un snooze",
        "maintenant",
        "reveiller",
        "reveille",
        "reveiller maintenant",
        "tout de suite",
        "des maintenant",
    }
)

#: Days counted from today; "today" alone means this evening.
RELATIVE_DAYS = {
    "today": 0,
    "aujourd hui": 0,
    "aujourdhui": 0,
    "auj": 0,
    "tomorrow": 1,
    "tomorow": 1,
    "tmrw": 1,
    "tmr": 1,
    "demain": 1,
    "day after tomorrow": 2,
    "the day after tomorrow": 2,
    "apres demain": 2,
}

#: The coming evening: today's, or tomorrow's once today's has passed.
EVENING_DAYS = frozenset(
    {"tonight", "this evening", "ce soir", "end of day", "eod", "fin de journee"}
)

AFTERNOON_DAYS = frozenset({"this afternoon", "cet apres midi", "cet aprem", "cette aprem"})

#: Next Monday, at the morning hour.
NEXT_WEEK = frozenset(
    {"next week", "the next week", "semaine prochaine", "la semaine prochaine", "sem pro"}
)

WEEKDAYS = {
    **dict.fromkeys(("monday", "mon", "lundi", "lun"), 0),
    **dict.fromkeys(("tuesday", "tue", "tues", "mardi", "mar"), 1),
    **dict.fromkeys(("wednesday", "wed", "mercredi", "mer"), 2),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs", "jeudi", "jeu"), 3),
    **dict.fromkeys(("friday", "fri", "vendredi", "ven", "vend"), 4),
    **dict.fromkeys(("saturday", "sat", "samedi", "sam"), 5),
    **dict.fromkeys(("sunday", "sun", "dimanche", "dim"), 6),
}

MONTHS = {
    **dict.fromkeys(("january", "jan", "janvier", "janv"), 1),
    **dict.fromkeys(("february", "feb", "fevrier", "fev", "fevr"), 2),
    **dict.fromkeys(("march", "mar", "mars"), 3),
    **dict.fromkeys(("april", "apr", "avril", "avr"), 4),
    **dict.fromkeys(("may", "mai"), 5),
    **dict.fromkeys(("june", "jun", "juin"), 6),
    **dict.fromkeys(("july", "jul", "juillet", "juil"), 7),
    **dict.fromkeys(("august", "aug", "aout"), 8),
    **dict.fromkeys(("september", "sep", "sept", "septembre"), 9),
    **dict.fromkeys(("october", "oct", "octobre"), 10),
    **dict.fromkeys(("november", "nov", "novembre"), 11),
    **dict.fromkeys(("december", "dec", "decembre"), 12),
}

_DURATION_ALIASES = {
    "half an hour": 1800,
    "half hour": 1800,
    "a half hour": 1800,
    "une demi heure": 1800,
    "demi heure": 1800,
    "a quarter of an hour": 900,
    "quarter of an hour": 900,
    "quarter hour": 900,
    "un quart d heure": 900,
    "quart d heure": 900,
}


def duration_alias(s: str) -> float | None:
    """Seconds for a duration said in words ("half an hour"), or None."""
    return _DURATION_ALIASES.get(s)


def clock_words(morning: time, evening: time) -> dict[str, time]:
    """Times of day said in words, for the team's *morning* and *evening* hours."""
    return {
        **dict.fromkeys(("morning", "matin", "le matin", "in the morning"), morning),
        **dict.fromkeys(("afternoon", "apres midi", "l apres midi", "aprem"), AFTERNOON),
        **dict.fromkeys(("evening", "soir", "le soir", "in the evening", "night"), evening),
        **dict.fromkeys(("noon", "midday", "midi"), time(12)),
        **dict.fromkeys(("midnight", "minuit"), time(0)),
    }
