"""Why customers write, part two: the menu, codes, accounts, subscriptions, the app, praise."""

from __future__ import annotations

from deskterm.backend.demo.situation import Situation

SERVICE_SITUATIONS: tuple[Situation, ...] = (
    Situation(
        "allergens",
        "allergens",
        4,
        "before",
        subjects={
            "fr": ("Question allergènes", "Allergie"),
            "en": ("Allergen question", "Allergy"),
        },
        first={
            "fr": (
                "{Dish_ref} contient {allergen_des} ? allergie sévère ici",
                "Bonjour, je suis allergique {allergen_aux}. Puis-je commander {dish_ref} "
                "sans risque ?",
                "Bonjour, y a-t-il du gluten dans {dish_ref} ? Commande {order} pour ce soir.",
                "Bonjour, ma fille est allergique {allergen_aux}, est-ce que {dish_ref} en "
                "contient ?",
            ),
            "en": (
                "does {dish_ref} contain {allergen}? severe allergy here",
                "Hello, I'm allergic to {allergen}. Can I safely order {dish_ref}?",
                "Hi, is there any gluten in {dish_ref}? Order {order} for tonight.",
                "Hi, my daughter is allergic to {allergen}, is there any in {dish_ref}?",
            ),
        },
        replies={
            "fr": (
                "J'ai vérifié avec le chef : {dish_ref} n'en contient pas, mais il est "
                "préparé dans une cuisine qui en manipule. La liste des allergènes est sur "
                "la fiche du plat dans l'appli.",
            ),
            "en": (
                "I checked with the chef: {dish_ref} doesn't contain any, but it's made in a "
                "kitchen that handles it. The allergen list is on the dish's page in the app.",
            ),
        },
        notes={
            "en": (
                "Asked the chef: no {allergen} in the recipe, sesame oil in the dressing though.",
                "Allergy: added a note on {order} for the kitchen.",
            ),
            "fr": ("Allergie : note ajoutée sur {order} pour la cuisine.",),
        },
        macros=("allergens_list",),
        priority="high",
    ),
    Situation(
        "spicy",
        "allergens",
        3,
        "before",
        subjects={
            "fr": ("Plat épicé ?", "Question sur un plat"),
            "en": ("Is it spicy?", "Question about a dish"),
        },
        first={
            "fr": (
                "Bonjour, est-ce que {dish_ref} est épicé ? Mon fils ne supporte pas le piment.",
                "c'est piquant {dish_ref} ? 🌶️",
                "Bonjour, {dish_ref} ça pique beaucoup ? J'ai commandé pour ce soir.",
            ),
            "en": (
                "Hi, is {dish_ref} spicy? My son can't handle chilli.",
                "is {dish_ref} hot? 🌶️",
                "Hello, how spicy is {dish_ref}? Ordered it for tonight.",
            ),
        },
        replies={
            "fr": (
                "Notre chef donne 1 piment sur 3 à {dish_ref} : relevé mais pas brûlant. "
                "Ajoutez une note à la commande et la cuisine ira doucement sur les épices.",
            ),
            "en": (
                "Our chef gives {dish_ref} 1 chilli out of 3: warm but not fiery. Add a note "
                "to your order and the kitchen will go easy on the spices.",
            ),
        },
        notes={
            "en": ("Noted 'mild please' on {order} for the kitchen.",),
            "fr": ("Noté « peu épicé » sur {order} pour la cuisine.",),
        },
        macros=("spicy",),
    ),
    Situation(
        "promo-code",
        "promo-code",
        8,
        "after",
        subjects={
            "fr": ("Code promo refusé", "Code {code}"),
            "en": ("Promo code not working", "Code {code}"),
        },
        first={
            "fr": (
                "Bonjour, le code {code} ne fonctionne pas, l'appli me dit « code invalide ».",
                "code promo {code} refusé ??",
                "Bonjour, j'ai oublié de mettre mon code {code} sur la commande {order}, "
                "est-il possible de l'appliquer ?",
                "Le code {code} reçu par mail ne marche pas, pourtant il est valable jusqu'à "
                "dimanche…",
            ),
            "en": (
                "Hi, the code {code} doesn't work, the app says 'invalid code'.",
                "promo code {code} refused??",
                "Hello, I forgot to enter my code {code} on order {order}, can you still apply it?",
                "The code {code} from your email doesn't work, but it's valid until Sunday…",
            ),
        },
        replies={
            "fr": (
                "Ce code est réservé à la première commande, c'est pour cela qu'il est refusé. "
                "Je vous ai tout de même ajouté 5 € de réduction sur votre compte.",
            ),
            "en": (
                "That code is for first orders only, which is why it was refused. I've added "
                "€5 off to your account anyway.",
            ),
        },
        notes={
            "en": ("{code} expired on Sunday, the marketing email said next Sunday. Flagged.",),
            "fr": ("{code} expiré dimanche, l'e-mail marketing disait dimanche prochain.",),
        },
        macros=("promo_howto", "promo_expired"),
    ),
    Situation(
        "login",
        "account",
        5,
        None,
        subjects={
            "fr": ("Impossible de me connecter", "Mot de passe"),
            "en": ("Can't log in", "Password reset"),
        },
        first={
            "fr": (
                "Bonjour, impossible de me connecter, l'appli me dit que mon mot de passe est "
                "incorrect alors que je l'ai changé hier.",
                "je ne reçois pas le mail de réinitialisation du mot de passe",
                "compte bloqué après 3 essais, je fais comment ?",
                "Bonjour, l'appli me déconnecte sans arrêt sur mon {device}.",
            ),
            "en": (
                "Hi, I can't log in, the app says my password is wrong but I changed it yesterday.",
                "i'm not getting the password reset email",
                "account locked after 3 tries, what do I do?",
                "Hello, the app keeps logging me out on my {device}.",
            ),
        },
        replies={
            "fr": (
                "J'ai débloqué votre compte et renvoyé un lien de réinitialisation. Pensez à "
                "regarder dans les spams, il part de support@popote.example.",
            ),
            "en": (
                "I've unlocked your account and sent a new reset link. Do check your spam "
                "folder, it comes from support@popote.example.",
            ),
        },
        notes={
            "en": ("Account was locked by the fraud rule after 3 failed logins, unlocked.",),
            "fr": ("Compte bloqué par la règle anti-fraude après 3 essais, débloqué.",),
        },
        macros=("login_reset",),
    ),
    Situation(
        "account-data",
        "account",
        2,
        None,
        subjects={
            "fr": ("Suppression de compte", "Modifier mon e-mail"),
            "en": ("Delete my account", "Change my email"),
        },
        first={
            "fr": (
                "Bonjour, merci de supprimer mon compte et mes données personnelles.",
                "Bonjour, je voudrais changer l'adresse e-mail de mon compte.",
                "Je ne veux plus recevoir vos e-mails, et je souhaite fermer mon compte.",
            ),
            "en": (
                "Hi, please delete my account and my personal data.",
                "Hello, I'd like to change the email address on my account.",
                "I don't want your emails any more, and I'd like to close my account.",
            ),
        },
        replies={
            "fr": (
                "C'est noté, votre demande est transmise ; vous recevrez une confirmation par "
                "e-mail sous 72 heures.",
            ),
            "en": (
                "Noted, your request has been passed on; you'll get an email confirmation within "
                "72 hours.",
            ),
        },
        notes={
            "en": ("Data request logged for the privacy team (30-day deadline).",),
            "fr": ("Demande RGPD transmise à l'équipe données (délai 30 jours).",),
        },
        macros=("account_delete",),
    ),
    Situation(
        "subscription-pause",
        "subscription",
        3,
        None,
        subjects={
            "fr": ("Suspendre mon abonnement", "Sauter une livraison"),
            "en": ("Pause my subscription", "Skip a delivery"),
        },
        first={
            "fr": (
                "Bonjour, je pars en vacances, est-ce que je peux suspendre mon abonnement "
                "Popote Hebdo deux semaines ?",
                "comment je saute la livraison de {day} ?",
                "Bonjour, pas de livraison {day} prochain svp, je ne serai pas là.",
            ),
            "en": (
                "Hi, I'm going on holiday, can I pause my Popote Weekly subscription for two "
                "weeks?",
                "how do i skip {day}'s delivery?",
                "Hello, no delivery next {day} please, I'll be away.",
            ),
        },
        replies={
            "fr": ("C'est fait, la livraison de {day} est sautée et rien ne vous sera facturé.",),
            "en": ("Done, {day}'s delivery is skipped and you won't be charged for it.",),
        },
        notes={
            "en": ("Skipped one week in the subscription tool.",),
            "fr": ("Semaine sautée dans l'outil abonnements.",),
        },
        macros=("sub_pause",),
        priority="low",
    ),
    Situation(
        "subscription-info",
        "subscription",
        2,
        None,
        subjects={
            "fr": ("Question abonnement", "Abonnement Popote Hebdo"),
            "en": ("Subscription question", "Popote Weekly"),
        },
        first={
            "fr": (
                "Bonjour, comment fonctionne l'abonnement ? Peut-on choisir ses plats chaque "
                "semaine ?",
                "Je voudrais passer de 4 à 6 repas par semaine, c'est possible ?",
                "Bonjour, l'abonnement est-il sans engagement ?",
            ),
            "en": (
                "Hi, how does the subscription work? Can I pick my dishes every week?",
                "I'd like to go from 4 to 6 meals a week, is that possible?",
                "Hello, can I cancel the subscription any time?",
            ),
        },
        replies={
            "fr": (
                "Oui : vous choisissez vos plats jusqu'au jeudi midi pour la semaine suivante, et "
                "vous pouvez changer de formule ou arrêter à tout moment.",
            ),
            "en": (
                "Yes: you pick your dishes until Thursday noon for the following week, and you "
                "can change plan or stop at any time.",
            ),
        },
        notes={
            "en": ("Prospect for the 6-meal plan.",),
            "fr": ("Intéressé par la formule 6 repas.",),
        },
        macros=("sub_howto",),
        priority="low",
    ),
    Situation(
        "bug",
        "bug",
        4,
        None,
        subjects={
            "fr": ("L'appli plante", "Bug au paiement", "Problème avec l'appli"),
            "en": ("App crashes", "Payment bug", "Problem with the app"),
        },
        first={
            "fr": (
                "L'appli plante quand je paie, j'ai essayé trois fois ! {device}, version "
                "{version}.",
                "Bonjour, le bouton « Payer » ne fait rien sur mon {device}. Du coup "
                "impossible de commander.",
                "bug : le panier se vide tout seul quand je change de créneau",
                "Bonjour, je ne reçois plus les notifications de suivi depuis la mise à jour "
                "{version}.",
            ),
            "en": (
                "The app crashes when I pay, tried three times! {device}, version {version}.",
                "Hi, the 'Pay' button does nothing on my {device}. Can't order at all.",
                "bug: my basket empties itself when I change the slot",
                "Hello, no more tracking notifications since the {version} update.",
            ),
        },
        replies={
            "fr": (
                "Merci pour ce signalement précis ! Je l'ai transmis à l'équipe de l'appli et je "
                "vous écris dès que c'est corrigé.",
            ),
            "en": (
                "Thanks for the precise report! I've passed it to the app team and I'll write as "
                "soon as it's fixed.",
            ),
        },
        notes={
            "en": (
                "Reproduced on {device} with {version}, filed as APP-{ticket}.",
                "Known issue, fix planned in the next release (APP-{ticket}).",
            ),
            "fr": ("Reproduit sur {device} en {version}, ticket APP-{ticket} créé.",),
        },
        macros=("bug_logged",),
    ),
    Situation(
        "compliment",
        "compliment",
        4,
        "after",
        subjects={
            "fr": ("Merci !", "Bravo au chef"),
            "en": ("Thank you!", "Well done to the chef"),
        },
        first={
            "fr": (
                "Juste un mot pour vous dire que {dish_ref} était un régal, bravo au chef !",
                "merci pour la livraison super rapide ce soir 👏",
                "Bonjour, commande {order} parfaite, le livreur était adorable. Merci !",
                "Meilleur repas livré depuis longtemps. {Dish_ref} : un régal.",
            ),
            "en": (
                "Just a quick note to say {dish_ref} was delicious, well done to the chef!",
                "thanks for the super quick delivery tonight 👏",
                "Hi, order {order} was perfect and the courier was lovely. Thank you!",
                "Best delivered meal in ages. {Dish_ref}: a treat.",
            ),
        },
        replies={
            "fr": ("Merci beaucoup, ça fait très plaisir ! Je transmets à toute l'équipe.",),
            "en": ("Thank you so much, that made our day! I'll pass it on to the whole team.",),
        },
        notes={"en": ("Shared in the kitchen channel 🎉",), "fr": ("Partagé à la cuisine 🎉",)},
        macros=("compliment_thanks",),
        priority="low",
    ),
    Situation(
        "invoice",
        "invoice",
        2,
        "after",
        subjects={
            "fr": ("Demande de facture", "Facture {order}"),
            "en": ("Invoice request", "Invoice for {order}"),
        },
        first={
            "fr": (
                "Bonjour, pourriez-vous m'envoyer une facture pour la commande {order} ? "
                "C'était un repas d'équipe.",
                "besoin d'une facture au nom de ma société pour {order} svp",
                "Bonjour, où puis-je télécharger mes factures ? Je ne les trouve pas.",
            ),
            "en": (
                "Hi, could you send me an invoice for order {order}? It was a team lunch.",
                "need an invoice in my company's name for {order} please",
                "Hello, where can I download my invoices? I can't find them.",
            ),
        },
        replies={
            "fr": (
                "Je vous ai envoyé la facture par e-mail. Vous les retrouverez toutes dans "
                "l'appli, Profil > Commandes.",
            ),
            "en": (
                "I've emailed you the invoice. You'll find them all in the app under Profile > "
                "Orders.",
            ),
        },
        notes={
            "en": ("Company invoice generated by hand.",),
            "fr": ("Facture société éditée à la main.",),
        },
        macros=("invoice_sent",),
        priority="low",
    ),
)
