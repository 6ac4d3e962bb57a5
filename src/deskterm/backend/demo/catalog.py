"""Popote's world: the menu, the team, customers' names and the places they live.

Popote is a fictional meal-delivery company in Paris and Lyon. Everything here is plain data;
the generator draws from it with its own seeded random source.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from deskterm.domain.models import Channel


@dataclass(frozen=True, slots=True)
class Dish:
    """One line of the menu, with how customers refer to it in each language."""

    name: str
    price_cents: int
    kind: str  # main, starter, bread, dessert, drink
    fr: str  # with its article, as in "il manque le pain de campagne"
    en: str
    spicy: int = 0  # the chef's chillies, 0 to 3


MENU: tuple[Dish, ...] = (
    Dish("Blanquette de veau", 1450, "main", "la blanquette de veau", "the blanquette de veau"),
    Dish("Bœuf bourguignon", 1550, "main", "le bœuf bourguignon", "the beef bourguignon"),
    Dish("Poulet basquaise", 1350, "main", "le poulet basquaise", "the basque chicken", 1),
    Dish("Curry de légumes", 1250, "main", "le curry de légumes", "the vegetable curry", 2),
    Dish("Chili sin carne", 1250, "main", "le chili sin carne", "the chili sin carne", 2),
    Dish("Hachis parmentier", 1300, "main", "le hachis parmentier", "the hachis parmentier"),
    Dish("Risotto aux champignons", 1350, "main", "le risotto", "the mushroom risotto"),
    Dish("Saumon et riz noir", 1590, "main", "le saumon", "the salmon with black rice"),
    Dish("Lasagnes maison", 1350, "main", "les lasagnes", "the lasagne"),
    Dish("Dahl de lentilles corail", 1150, "main", "le dahl", "the red lentil dahl", 2),
    Dish("Quenelles sauce Nantua", 1450, "main", "les quenelles", "the quenelles"),
    Dish("Tajine d'agneau aux abricots", 1550, "main", "le tajine", "the lamb tagine", 1),
    Dish("Pad thaï aux crevettes", 1450, "main", "le pad thaï", "the prawn pad thai", 3),
    Dish("Gratin dauphinois et jambon", 1250, "main", "le gratin", "the gratin dauphinois"),
    Dish("Salade César", 1150, "main", "la salade César", "the Caesar salad"),
    Dish("Bibimbap au bœuf", 1450, "main", "le bibimbap", "the beef bibimbap", 2),
    Dish("Tarama et blinis", 650, "starter", "le tarama", "the tarama and blinis"),
    Dish("Houmous et pain pita", 600, "starter", "le houmous", "the hummus"),
    Dish("Velouté de potimarron", 550, "starter", "le velouté", "the squash soup"),
    Dish("Œuf mimosa", 500, "starter", "l'œuf mimosa", "the devilled egg"),
    Dish("Salade de lentilles", 550, "starter", "la salade de lentilles", "the lentil salad"),
    Dish("Taboulé libanais", 550, "starter", "le taboulé", "the tabbouleh"),
    Dish("Pain de campagne", 250, "bread", "le pain", "the bread"),
    Dish("Baguette tradition", 150, "bread", "la baguette", "the baguette"),
    Dish("Focaccia au romarin", 350, "bread", "la focaccia", "the focaccia"),
    Dish("Tiramisu", 550, "dessert", "le tiramisu", "the tiramisu"),
    Dish("Mousse au chocolat", 500, "dessert", "la mousse au chocolat", "the chocolate mousse"),
    Dish("Tarte au citron", 550, "dessert", "la tarte au citron", "the lemon tart"),
    Dish("Riz au lait", 450, "dessert", "le riz au lait", "the rice pudding"),
    Dish("Cheesecake", 550, "dessert", "le cheesecake", "the cheesecake"),
    Dish("Crème brûlée", 550, "dessert", "la crème brûlée", "the crème brûlée"),
    Dish("Tarte tatin", 550, "dessert", "la tarte tatin", "the tarte tatin"),
    Dish("Fromage blanc et coulis", 400, "dessert", "le fromage blanc", "the fromage blanc"),
    Dish("Limonade artisanale", 350, "drink", "la limonade", "the lemonade"),
    Dish("Thé glacé pêche", 350, "drink", "le thé glacé", "the iced tea"),
    Dish("Eau pétillante", 250, "drink", "l'eau pétillante", "the sparkling water"),
    Dish("Jus de pomme bio", 350, "drink", "le jus de pomme", "the apple juice"),
    Dish("Kombucha gingembre", 400, "drink", "le kombucha", "the kombucha"),
    Dish("Cola", 300, "drink", "le cola", "the cola"),
    Dish("Bière blonde IPA", 500, "drink", "la bière", "the beer"),
    Dish("Côtes-du-Rhône 37,5 cl", 900, "drink", "le vin", "the wine"),
)

MAINS = tuple(d for d in MENU if d.kind == "main")
STARTERS = tuple(d for d in MENU if d.kind == "starter")
BREADS = tuple(d for d in MENU if d.kind == "bread")
DESSERTS = tuple(d for d in MENU if d.kind == "dessert")
DRINKS = tuple(d for d in MENU if d.kind == "drink")
#: What goes missing from a bag: the small things packed last.
EXTRAS = BREADS + DESSERTS + DRINKS + STARTERS

#: Delivery slots start on these local times (hours after midnight); a slot lasts an hour.
SLOT_STARTS = (11.5, 12.0, 12.5, 13.0, 19.0, 19.5, 20.0, 20.5, 21.0)

GROUPS = ("Instant channels", "Email", "Escalations")

#: (name, group index into GROUPS, language of their internal notes)
AGENTS: tuple[tuple[str, int, str], ...] = (
    ("Camille Moreau", 0, "fr"),
    ("Paul Roux", 0, "fr"),
    ("Inès Haddad", 0, "en"),
    ("Lucas Bernard", 0, "fr"),
    ("Sofia Almeida", 0, "en"),
    ("Julien Petit", 1, "fr"),
    ("Chloé Lefèvre", 1, "en"),
    ("Hugo Lambert", 1, "fr"),
    ("Amira Benali", 1, "fr"),
    ("Nathalie Girard", 2, "fr"),
    ("Thomas Dubois", 2, "en"),
    ("Emma Fontaine", 2, "en"),
)
AGENT_DOMAIN = "popote.example"


def group_for(channel: Channel) -> int:
    """Routing: instant channels to the senior instant team, the rest to Email (0-based)."""
    return 0 if channel.instant else 1


FR_FIRST = (
    "Léa", "Chloé", "Manon", "Camille", "Inès", "Sarah", "Jade", "Louise", "Emma", "Alice",
    "Juliette", "Lina", "Zoé", "Anaïs", "Clara", "Mathilde", "Pauline", "Margaux", "Élodie",
    "Nadia", "Fatima", "Yasmine", "Amandine", "Céline", "Sophie", "Hugo", "Lucas", "Louis",
    "Gabriel", "Arthur", "Jules", "Nathan", "Thomas", "Antoine", "Maxime", "Julien", "Nicolas",
    "Mehdi", "Karim", "Rayan", "Théo", "Baptiste", "Romain", "Quentin", "Pierre", "Benoît",
    "Olivier", "Laurent", "Yannick", "Cédric", "Aurélie", "Hélène", "Gaëlle", "Bastien",
)  # fmt: skip
FR_LAST = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Martinez", "Benali", "Haddad", "Nguyen", "Diallo", "Traoré", "Rousseau",
    "Blanc", "Guérin", "Muller", "Henry", "Chevalier", "Lemoine", "Faure", "Perrin", "Gauthier",
    "Roussel", "Masson", "Marchand", "Da Silva", "Boyer", "Fontaine", "Lefèvre", "Mathieu",
)  # fmt: skip
INTL_FIRST = (
    "Emily", "James", "Olivia", "Daniel", "Sophie", "Michael", "Hannah", "Ben", "Laura",
    "Chris", "Anna", "Lukas", "Sofia", "Marco", "Giulia", "Pablo", "Lucía", "Ahmed", "Priya",
    "Arjun", "Mei", "Kenji", "Yuki", "Oliver", "Charlotte", "Jack", "Amelia", "Noah", "Eva",
    "Tom", "Nina", "Jonas", "Ingrid", "Mateo", "Chloe", "Ryan", "Grace", "Omar", "Leila", "Sam",
)  # fmt: skip
INTL_LAST = (
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Walker", "Müller",
    "Schmidt", "Rossi", "Bianchi", "García", "López", "Fernández", "Kowalski", "Novak", "Patel",
    "Shah", "Kumar", "Chen", "Wang", "Tanaka", "Sato", "Kim", "Park", "O'Brien", "Murphy",
    "Andersen", "Johansson", "Silva", "Costa", "Nowak", "Hughes", "Clarke", "Khan", "Ali",
    "Cohen", "Levy", "Fischer",
)  # fmt: skip
#: One list of each, French names first: customers keep indexes into these.
FIRST_NAMES = FR_FIRST + INTL_FIRST
LAST_NAMES = FR_LAST + INTL_LAST

EMAIL_DOMAINS = (
    "gmail.com", "orange.fr", "free.fr", "yahoo.fr", "outlook.com", "hotmail.fr", "icloud.com",
    "laposte.net", "proton.me", "sfr.fr",
)  # fmt: skip

CUSTOMER_NOTES = (
    "Prefers WhatsApp to email.",
    "Allergic to peanuts: double-check every order.",
    "Door code 4B21, 3rd floor on the left.",
    "Regular since 2022, orders for the whole office on Fridays.",
    "Two late deliveries this month: be generous.",
    "Préfère être appelé(e) après 18h.",
    "Client fidèle, très sympa au téléphone.",
    "A déjà eu un geste commercial le mois dernier.",
    "Concierge will take deliveries if nobody answers.",
    "Végétarien : vérifier les substitutions.",
)

CITIES = ("Paris", "Lyon")
STREETS = {
    "Paris": (
        "rue Oberkampf", "rue des Martyrs", "boulevard Voltaire", "rue de Charonne",
        "avenue Parmentier", "rue du Faubourg-Saint-Denis", "rue Lepic", "rue de la Roquette",
    ),
    "Lyon": (
        "cours Lafayette", "rue de la République", "montée de la Grande-Côte",
        "rue Mercière", "cours Vitton", "avenue Jean-Jaurès", "quai Saint-Vincent",
    ),
}  # fmt: skip

PROMO_CODES = ("BIENVENUE10", "POPOTE5", "LYON20", "HIVER15", "AMI10", "RENTREE12", "MERCI5")
DEVICES = ("iPhone 13", "iPhone 15", "Pixel 7", "Galaxy S23", "Android", "iPad", "Xiaomi 12")
APP_VERSIONS = ("4.12.0", "4.12.1", "4.13.0", "4.13.2")
WEEKDAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
#: (English, French with "des/du", French with "aux/au")
ALLERGENS = (
    ("peanuts", "des arachides", "aux arachides"),
    ("tree nuts", "des fruits à coque", "aux fruits à coque"),
    ("sesame", "du sésame", "au sésame"),
    ("shellfish", "des crustacés", "aux crustacés"),
    ("dairy", "du lait", "au lait"),
)


def ascii_fold(text: str) -> str:
    """A name as it appears in an address: no accents, spaces or apostrophes, lower case."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


FOLDED_FIRST = tuple(ascii_fold(n) for n in FIRST_NAMES)
FOLDED_LAST = tuple(ascii_fold(n) for n in LAST_NAMES)


def money(cents: int, language: str) -> str:
    """An amount as a customer reads it: "12,50 €" in French, "€12.50" in English."""
    euros, rest = divmod(cents, 100)
    if language == "fr":
        return f"{euros},{rest:02d} €" if rest else f"{euros} €"
    return f"€{euros}.{rest:02d}" if rest else f"€{euros}"


def clock_text(seconds_after_midnight: int, language: str) -> str:
    """A local time of day: "19h30" or "19h" in French, "19:30" in English."""
    hours, minutes = divmod(seconds_after_midnight // 60, 60)
    hours %= 24
    if language == "fr":
        return f"{hours}h{minutes:02d}" if minutes else f"{hours}h"
    return f"{hours}:{minutes:02d}"


def slot_text(start_seconds: int, language: str) -> str:
    """A one-hour delivery slot starting at a local time: "19h30–20h30" or "19:30–20:30"."""
    return f"{clock_text(start_seconds, language)}–{clock_text(start_seconds + 3600, language)}"
