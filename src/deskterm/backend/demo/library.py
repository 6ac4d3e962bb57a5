"""The demo team's macro library: shared answers in English with French variants, plus a few
personal ones that two agents wrote in their own words."""

from __future__ import annotations

from typing import Any

from deskterm.backend.demo.macrospec import MacroSpec


def _m(key: str, title: str, en: str, fr: str, **kw: Any) -> MacroSpec:
    return MacroSpec(key, title, en, fr, title_fr=TITLES_FR.get(key), **kw)


#: The order actions the macros' texts say were done.
RESEND_NAMED = {"do": "resend", "items": "{{ order.named_items }}"}
#: A dish paid for and not eaten is refunded, not goodwill: its price, for the items named.
REFUND_NAMED = {"do": "refund", "items": "{{ order.named_items }}"}
REFUND_ORDER = {"do": "goodwill", "as": "refund", "amount": "{{ order.total }}"}

#: The titles French-speaking customers' agents see.
TITLES_FR = {
    "missing_resend": "Article manquant — renvoyé",
    "missing_refund": "Article manquant — remboursement de l'article",
    "late_on_its_way": "Retard — le livreur arrive",
    "late_voucher": "Retard — excuses et bon d'achat",
    "allergens_list": "Allergènes — où les trouver",
    "spicy": "Épicé ou pas — les piments",
    "refund_done": "Remboursement — confirmé",
    "refund_review": "Remboursement — transmis à la facturation",
    "promo_howto": "Code promo — comment l'utiliser",
    "promo_expired": "Code promo — expiré, remboursé à titre commercial",
    "login_reset": "Connexion — réinitialiser le mot de passe",
    "account_delete": "Compte — demande sur les données reçue",
    "slot_changed": "Créneau de livraison — changé",
    "slot_too_late": "Créneau de livraison — trop tard pour changer",
    "address_updated": "Mauvaise adresse — transmise au livreur",
    "damaged_credit": "Emballage abîmé — excuses et remboursement",
    "compliment_thanks": "Compliment — merci",
    "cancel_done": "Annulation — confirmée et remboursée",
    "cancel_too_late": "Annulation — déjà en préparation",
    "sub_pause": "Abonnement — livraison sautée",
    "sub_howto": "Abonnement — comment ça marche",
    "bug_logged": "Bug — transmis à l'équipe de l'appli",
    "bug_fixed": "Bug — corrigé, mettez à jour",
    "invoice_sent": "Facture — où la télécharger",
    "wrong_item": "Mauvais plat — remboursé",
    "ask_details": "Demander des précisions",
    "ask_order_number": "Demander le numéro de commande",
    "closing": "Clôture — content que ce soit réglé",
    "camille_late": "Retard — version courte",
    "julien_refund": "Ma formule de remboursement",
    "julien_promo": "Promo — correction rapide",
}


HI_EN = "Hi {{ customer.first_name }},\n\n"
HI_FR = "Bonjour {{ customer.first_name }},\n\n"

SHARED: tuple[MacroSpec, ...] = (
    _m(
        "missing_resend",
        "Missing item — sent again",
        HI_EN
        + "I'm so sorry something was missing from your order {{ order.number }}. {% cursor %}We're sending it again, free of charge: nothing to do on your side.\n\nEnjoy your meal,\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Toutes nos excuses, il manquait un article dans votre commande {{ order.number }}. {% cursor %}Nous vous le renvoyons gratuitement, vous n'avez rien à faire.\n\nBon appétit,\n{{ agent.first_name }}",  # noqa: E501
        tags=("missing-item",),
        status="done",
        gesture="resend",
        fill={
            "en": ("Our kitchen confirms {item_ref} was left out. ",),
            "fr": ("La cuisine confirme l'oubli : {item_ref} n'était pas dans le sac. ",),
        },
        order=(RESEND_NAMED,),
    ),
    _m(
        "missing_refund",
        "Missing item — refund the item",
        HI_EN
        + "Sorry about the missing item in order {{ order.number }}! {% cursor %}I've refunded it to your card; you'll see it within 3 to 5 working days.\n\nSee you soon,\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Toutes nos excuses pour l'article manquant dans la commande {{ order.number }} ! {% cursor %}Je viens de vous le rembourser sur votre carte ; comptez 3 à 5 jours ouvrés.\n\nÀ bientôt,\n{{ agent.first_name }}",  # noqa: E501
        tags=("missing-item", "refund"),
        status="done",
        gesture="item",
        fill={
            "en": ("That's {amount} for {item_ref}. ",),
            "fr": ("Cela fait {amount} pour {item_ref}. ",),
        },
        order=(REFUND_NAMED,),
    ),
    _m(
        "late_on_its_way",
        "Late delivery — on its way",
        HI_EN
        + "I've just checked order {{ order.number }} (slot {{ order.delivery_slot }}): the courier is on the way and should be with you in about 15 minutes. {% cursor %}Sorry for the wait!\n\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Je viens de vérifier la commande {{ order.number }} (créneau {{ order.delivery_slot }}) : le livreur est en route, il devrait arriver d'ici 15 minutes environ. {% cursor %}Désolés pour l'attente !\n\n{{ agent.first_name }}",  # noqa: E501
        tags=("late-delivery",),
        fill={
            "en": ("The kitchen was running late tonight. ",),
            "fr": ("La cuisine a pris du retard ce soir. ",),
        },
    ),
    _m(
        "late_voucher",
        "Late delivery — apology and voucher",
        HI_EN
        + "Your order {{ order.number }} arrived well after the {{ order.delivery_slot }} slot, and that's not the service we want to give you. {% cursor %}I've added a €5 voucher to your account, applied automatically on your next order.\n\nSorry again,\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Votre commande {{ order.number }} est arrivée bien après le créneau {{ order.delivery_slot }}, ce n'est pas le service que nous voulons vous offrir. {% cursor %}Je vous ai ajouté un bon de 5 € sur votre compte, déduit automatiquement de votre prochaine commande.\n\nEncore désolés,\n{{ agent.first_name }}",  # noqa: E501
        tags=("late-delivery",),
        status="done",
        gesture="voucher",
        order=({"do": "goodwill", "as": "credit", "amount": "5"},),
    ),
    _m(
        "allergens_list",
        "Allergens — where to find them",
        HI_EN
        + 'Good question! {% cursor %}The full list of ingredients and the 14 major allergens of each dish is on its page in the app, under "Ingredients". Our kitchen handles nuts, gluten and sesame, so we can\'t rule out traces.\n\nTake care,\n{{ agent.first_name }}',  # noqa: E501
        HI_FR
        + "Bonne question ! {% cursor %}La liste complète des ingrédients et des 14 allergènes majeurs se trouve sur la fiche de chaque plat dans l'appli, rubrique « Ingrédients ». Notre cuisine manipule fruits à coque, gluten et sésame : nous ne pouvons donc pas exclure des traces.\n\nBonne journée,\n{{ agent.first_name }}",  # noqa: E501
        tags=("allergens",),
        status="done",
        fill={
            "en": ("I checked {dish_ref} with the chef. ",),
            "fr": ("J'ai vérifié {dish_ref} avec le chef. ",),
        },
    ),
    _m(
        "spicy",
        "Spicy or not — the chillies",
        HI_EN
        + "Our chef rates each dish from 0 to 3 chillies, shown next to its name in the app. {% cursor %}If you'd like it milder, add a note to your order and the kitchen will go easy on the spices.\n\nEnjoy,\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Notre chef note chaque plat de 0 à 3 piments, indiqués à côté de son nom dans l'appli. {% cursor %}Si vous le préférez plus doux, ajoutez une note à votre commande et la cuisine ira doucement sur les épices.\n\nBon appétit,\n{{ agent.first_name }}",  # noqa: E501
        tags=("allergens",),
        status="done",
        fill={"en": ("{Dish_ref} has 1 chilli. ",), "fr": ("{Dish_ref} a 1 piment. ",)},
    ),
    _m(
        "refund_done",
        "Refund — confirmed",
        HI_EN
        + "I've refunded order {{ order.number }}. {% cursor %}The money will be back on your card within 3 to 5 working days, depending on your bank.\n\nBest,\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "J'ai procédé au remboursement de la commande {{ order.number }}. {% cursor %}Le montant sera recrédité sur votre carte sous 3 à 5 jours ouvrés, selon votre banque.\n\nBien à vous,\n{{ agent.first_name }}",  # noqa: E501
        tags=("refund",),
        status="done",
        gesture="order",
        fill={"en": ("That's {amount}. ",), "fr": ("Cela représente {amount}. ",)},
        order=(REFUND_ORDER,),
    ),
    _m(
        "refund_review",
        "Refund — passed to billing",
        HI_EN
        + "Thanks for your patience. {% cursor %}I've passed your refund request for order {{ order.number }} to our billing team, who will get back to you within 48 hours.\n\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Merci pour votre patience. {% cursor %}J'ai transmis votre demande de remboursement pour la commande {{ order.number }} à notre service facturation, qui reviendra vers vous sous 48 heures.\n\n{{ agent.first_name }}",  # noqa: E501
        tags=("refund", "escalated"),
        priority="high",
    ),
    _m(
        "promo_howto",
        "Promo code — how to apply it",
        HI_EN
        + 'Promo codes go in the "Code" field of the payment page, before you confirm the order; they can\'t be added afterwards. {% cursor %}Each code works once per account, on orders over €25.\n\nCheers,\n{{ agent.first_name }}',  # noqa: E501
        HI_FR
        + "Le code promo se saisit dans le champ « Code » de la page de paiement, avant de valider la commande ; il ne peut pas être ajouté après coup. {% cursor %}Chaque code est valable une fois par compte, dès 25 € d'achat.\n\nÀ bientôt,\n{{ agent.first_name }}",  # noqa: E501
        tags=("promo-code",),
        status="done",
    ),
    _m(
        "promo_expired",
        "Promo code — expired, refunded as a gesture",
        HI_EN
        + "That code expired a few days ago, which is why the app refused it. {% cursor %}As a gesture, I've refunded the discount on order {{ order.number }}.\n\nSee you soon,\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Ce code a expiré il y a quelques jours, c'est pour cela que l'appli l'a refusé. {% cursor %}À titre commercial, je vous ai remboursé la réduction sur la commande {{ order.number }}.\n\nÀ bientôt,\n{{ agent.first_name }}",  # noqa: E501
        tags=("promo-code", "gesture"),
        status="done",
        gesture="voucher",
        order=({"do": "goodwill", "as": "refund", "amount": "ask"},),
    ),
    _m(
        "login_reset",
        "Login — how to reset the password",
        HI_EN
        + "After five wrong passwords the app locks the account for 15 minutes. {% cursor %}To get back in now, tap “Forgot password?” on the login screen: the link it emails you is valid for one hour. If it isn't in your inbox, look in your spam folder: it comes from support@popote.example.\n\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Après cinq mots de passe erronés, l'appli bloque le compte pendant 15 minutes. {% cursor %}Pour y revenir tout de suite, touchez « Mot de passe oublié ? » sur l'écran de connexion : le lien envoyé par e-mail est valable une heure. S'il n'est pas dans votre boîte de réception, regardez dans les spams : il part de support@popote.example.\n\n{{ agent.first_name }}",  # noqa: E501
        tags=("account",),
        status="done",
    ),
    _m(
        "account_delete",
        "Account — data request received",
        HI_EN
        + "We've received your request about your account and personal data. {% cursor %}Our privacy team will handle it and confirm by email within 72 hours.\n\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Nous avons bien reçu votre demande concernant votre compte et vos données personnelles. {% cursor %}Notre équipe données s'en occupe et vous confirmera par e-mail sous 72 heures.\n\n{{ agent.first_name }}",  # noqa: E501
        tags=("account",),
    ),
    _m(
        "slot_changed",
        "Delivery slot — changed",
        HI_EN
        + "Done! I've moved the delivery of your order {{ order.number }} to the slot you asked for. {% cursor %}You'll get a text when the courier leaves.\n\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "C'est fait ! J'ai déplacé la livraison de votre commande {{ order.number }} sur le créneau que vous avez demandé. {% cursor %}Vous recevrez un SMS au départ du livreur.\n\n{{ agent.first_name }}",  # noqa: E501
        tags=("slot-change",),
        status="done",
        order=({"do": "slot"},),
    ),
    _m(
        "slot_too_late",
        "Delivery slot — too late to change",
        HI_EN
        + "I'm sorry, order {{ order.number }} is already being prepared for the {{ order.delivery_slot }} slot, so I can't move it any more. {% cursor %}If nobody's home, the courier can leave it with a neighbour or the concierge: just tell me which.\n\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Toutes mes excuses, la commande {{ order.number }} est déjà en préparation pour le créneau {{ order.delivery_slot }}, je ne peux plus la décaler. {% cursor %}Si personne n'est là, le livreur peut la laisser à un voisin ou au gardien : dites-moi simplement qui.\n\n{{ agent.first_name }}",  # noqa: E501
        tags=("slot-change",),
        status="done",
    ),
    _m(
        "address_updated",
        "Wrong address — passed to the courier",
        HI_EN
        + "Thanks for the new address: I've passed it to the courier of order {{ order.number }}. {% cursor %}Don't forget to change your default address in the app too.\n\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Merci pour la nouvelle adresse : je l'ai transmise au livreur de la commande {{ order.number }}. {% cursor %}Pensez aussi à changer votre adresse par défaut dans l'appli.\n\n{{ agent.first_name }}",  # noqa: E501
        tags=("wrong-address",),
        status="done",
        fill={
            "en": ("New address: {number} {street}. ",),
            "fr": ("Nouvelle adresse : {number} {street}. ",),
        },
    ),
    _m(
        "damaged_credit",
        "Damaged packaging — sorry and refund",
        HI_EN
        + "I'm sorry your order {{ order.number }} arrived in that state. {% cursor %}I've refunded the damaged dish and reported the packaging to our logistics team.\n\nTake care,\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Désolés que votre commande {{ order.number }} soit arrivée dans cet état. {% cursor %}Je vous ai remboursé le plat abîmé et j'ai signalé l'emballage à notre équipe logistique.\n\nBonne journée,\n{{ agent.first_name }}",  # noqa: E501
        tags=("damaged-packaging", "gesture"),
        status="done",
        gesture="dish",
        fill={"en": ("Thanks for the photo. ",), "fr": ("Merci pour la photo. ",)},
        order=(REFUND_NAMED,),
    ),
    _m(
        "compliment_thanks",
        "Compliment — thank you",
        HI_EN
        + "Thank you so much for your message, it made our day! {% cursor %}I'll pass it on to the kitchen and the couriers.\n\nSee you soon,\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Merci beaucoup pour votre message, il a illuminé notre journée ! {% cursor %}Je le transmets à la cuisine et aux livreurs.\n\nÀ très vite,\n{{ agent.first_name }}",  # noqa: E501
        tags=("compliment",),
        status="done",
    ),
    _m(
        "cancel_done",
        "Cancellation — confirmed and refunded",
        HI_EN
        + "Your order {{ order.number }} is cancelled and fully refunded. {% cursor %}The refund shows on your card within 3 to 5 working days.\n\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Votre commande {{ order.number }} est annulée et intégralement remboursée. {% cursor %}Le remboursement apparaît sur votre carte sous 3 à 5 jours ouvrés.\n\n{{ agent.first_name }}",  # noqa: E501
        tags=("cancellation",),
        status="done",
        gesture="order",
        order=(REFUND_ORDER, {"do": "cancel"}),
    ),
    _m(
        "cancel_too_late",
        "Cancellation — already being prepared",
        HI_EN
        + "I'm sorry, order {{ order.number }} ({{ order.item_names | join: \", \" }}) is already being prepared, so I can't cancel it any more. {% cursor %}The courier can leave it with a neighbour if you're out.\n\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + 'Toutes mes excuses, la commande {{ order.number }} ({{ order.item_names | join: ", " }}) est déjà en préparation, je ne peux plus l\'annuler. {% cursor %}Le livreur peut la laisser à un voisin si vous êtes absent.\n\n{{ agent.first_name }}',  # noqa: E501
        tags=("cancellation",),
        status="done",
    ),
    _m(
        "sub_pause",
        "Subscription — delivery skipped",
        HI_EN
        + "No problem: I've skipped that delivery and you won't be charged for it. {% cursor %}Your subscription picks up again the week after.\n\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Pas de souci : j'ai sauté cette livraison et elle ne vous sera pas facturée. {% cursor %}Votre abonnement reprend la semaine suivante.\n\n{{ agent.first_name }}",  # noqa: E501
        tags=("subscription",),
        status="done",
        fill={"en": ("No delivery on {day}. ",), "fr": ("Pas de livraison {day}. ",)},
    ),
    _m(
        "sub_howto",
        "Subscription — how it works",
        HI_EN
        + "With Popote Weekly you choose your dishes until Thursday noon for the following week, and you can change plan, pause or stop at any time. {% cursor %}\n\nHappy cooking-free week,\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Avec Popote Hebdo, vous choisissez vos plats jusqu'au jeudi midi pour la semaine suivante, et vous pouvez changer de formule, faire une pause ou arrêter à tout moment. {% cursor %}\n\nBonne semaine sans cuisiner,\n{{ agent.first_name }}",  # noqa: E501
        tags=("subscription",),
        status="done",
    ),
    _m(
        "bug_logged",
        "Bug — logged with the app team",
        HI_EN
        + "Thanks for the report, and sorry for the trouble! {% cursor %}I've passed it to our app team with your details, and I'll write to you as soon as it's fixed.\n\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Merci pour le signalement, et désolés pour la gêne ! {% cursor %}Je l'ai transmis à l'équipe de l'appli avec vos informations, et je vous écris dès que c'est corrigé.\n\n{{ agent.first_name }}",  # noqa: E501
        tags=("bug",),
        fill={
            "en": ("We can reproduce it on {device}. ",),
            "fr": ("Nous reproduisons le problème sur {device}. ",),
        },
    ),
    _m(
        "bug_fixed",
        "Bug — fixed, please update",
        HI_EN
        + "Good news: the problem you reported{% if problem.title %} ({{ problem.title }}){% endif %} is fixed in the latest version of the app. {% cursor %}Update it from your app store and you're good to go. Thanks again for telling us!\n\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Bonne nouvelle : le problème que vous nous aviez signalé{% if problem.title %} ({{ problem.title }}){% endif %} est corrigé dans la dernière version de l'appli. {% cursor %}Mettez-la à jour depuis votre store et tout devrait rentrer dans l'ordre. Merci encore de nous l'avoir signalé !\n\n{{ agent.first_name }}",  # noqa: E501
        tags=("bug",),
        status="done",
    ),
    _m(
        "invoice_sent",
        "Invoice — where to download it",
        HI_EN
        + "The invoice for order {{ order.number }} is in the app, under Profile > Orders: open the order and tap “Invoice (PDF)”. {% cursor %}If you need it made out to a company, send me its name and address and I'll have it issued.\n\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "La facture de la commande {{ order.number }} est dans l'appli, rubrique Profil > Commandes : ouvrez la commande et touchez « Facture (PDF) ». {% cursor %}S'il vous la faut au nom d'une société, envoyez-moi son nom et son adresse et je la fais établir.\n\n{{ agent.first_name }}",  # noqa: E501
        tags=("invoice",),
        status="done",
    ),
    _m(
        "wrong_item",
        "Wrong dish — refunded",
        HI_EN
        + "I'm sorry, the kitchen mixed up your order {{ order.number }}. {% cursor %}I've refunded the dish you didn't get, and the team has been told.\n\nSee you soon,\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Toutes nos excuses, la cuisine s'est trompée sur votre commande {{ order.number }}. {% cursor %}Je vous ai remboursé le plat que vous n'avez pas reçu, et l'équipe est prévenue.\n\nÀ bientôt,\n{{ agent.first_name }}",  # noqa: E501
        tags=("wrong-item", "gesture"),
        status="done",
        gesture="dish",
        fill={
            "en": ("That's {amount} for {dish_ref}. ",),
            "fr": ("Cela fait {amount} pour {dish_ref}. ",),
        },
        order=(REFUND_NAMED,),
    ),
    _m(
        "ask_details",
        "Ask for details",
        HI_EN
        + "Thanks for your message! Could you tell me a bit more about what went wrong? {% cursor %}A photo helps if something was damaged or missing.\n\nThanks,\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Merci pour votre message ! Pourriez-vous m'en dire un peu plus sur ce qui n'allait pas ? {% cursor %}Une photo nous aide si quelque chose était abîmé ou manquant.\n\nMerci,\n{{ agent.first_name }}",  # noqa: E501
        snooze="until reply",
    ),
    _m(
        "ask_order_number",
        "Ask for the order number",
        HI_EN
        + "Thanks for getting in touch! Could you send me the order number? It starts with PO- and it's in your confirmation email. {% cursor %}\n\n{{ agent.first_name }}",  # noqa: E501
        HI_FR
        + "Merci de nous avoir écrit ! Pourriez-vous m'envoyer le numéro de commande ? Il commence par PO- et figure dans votre e-mail de confirmation. {% cursor %}\n\n{{ agent.first_name }}",  # noqa: E501
        snooze="until reply",
    ),
    _m(
        "closing",
        "Closing — glad it's sorted",
        "You're welcome {{ customer.first_name }}, glad it's sorted! {% cursor %}Enjoy your meal.\n\n{{ agent.first_name }}",  # noqa: E501
        "Avec plaisir {{ customer.first_name }}, tant mieux si c'est réglé ! {% cursor %}Bon appétit.\n\n{{ agent.first_name }}",  # noqa: E501
        status="done",
    ),
)

#: Personal macros: Camille (instant channels) and Julien (email) answer in their own words.
PERSONAL: tuple[MacroSpec, ...] = (
    _m(
        "camille_bread",
        "Mon oubli de pain",
        "Oh no {{ customer.first_name }}, another escaped item 😅 {% cursor %}I've noted it on {{ order.number }} and it's on its way again, free. Enjoy your meal anyway! {{ agent.first_name }}",  # noqa: E501
        "Oh non {{ customer.first_name }}, encore un article qui s'est fait la malle 😅 {% cursor %}Je l'ai noté sur la {{ order.number }} et il repart gratuitement vers vous. Bon appétit quand même ! {{ agent.first_name }}",  # noqa: E501
        tags=("missing-item",),
        status="done",
        gesture="resend",
        owner=0,
        order=(RESEND_NAMED,),
    ),
    _m(
        "camille_late",
        "Retard — version courte",
        "{{ customer.first_name }}, your courier is nearly there, I'm following them live on the map 🛵 {% cursor %}— {{ agent.first_name }}",  # noqa: E501
        "{{ customer.first_name }}, le livreur arrive, je le suis en direct sur la carte 🛵 {% cursor %}— {{ agent.first_name }}",  # noqa: E501
        tags=("late-delivery",),
        owner=0,
    ),
    _m(
        "julien_refund",
        "My refund wording",
        "Hello {{ customer.first_name }},\n\nYou're right, and I've just refunded order {{ order.number }} in full. {% cursor %}Allow a few days for your bank.\n\nKind regards,\n{{ agent.first_name }}",  # noqa: E501
        "Bonjour {{ customer.first_name }},\n\nVous avez raison, et je viens de rembourser intégralement la commande {{ order.number }}. {% cursor %}Comptez quelques jours selon votre banque.\n\nBien cordialement,\n{{ agent.first_name }}",  # noqa: E501
        tags=("refund",),
        status="done",
        gesture="order",
        owner=5,
        order=(REFUND_ORDER,),
    ),
    _m(
        "julien_promo",
        "Promo — quick fix",
        "Hello {{ customer.first_name }},\n\nI've applied the discount by hand to order {{ order.number }}. {% cursor %}Sorry for the hassle!\n\nKind regards,\n{{ agent.first_name }}",  # noqa: E501
        "Bonjour {{ customer.first_name }},\n\nJ'ai appliqué la réduction à la main sur la commande {{ order.number }}. {% cursor %}Désolé pour le désagrément !\n\nBien cordialement,\n{{ agent.first_name }}",  # noqa: E501
        tags=("promo-code", "gesture"),
        status="done",
        gesture="voucher",
        owner=5,
        order=({"do": "goodwill", "as": "credit", "amount": "ask"},),
    ),
)

LIBRARY: tuple[MacroSpec, ...] = SHARED + PERSONAL
#: A personal macro its owner prefers to the shared one, by shared key.
PREFERRED = {"missing_resend": "camille_bread", "late_on_its_way": "camille_late",
             "refund_done": "julien_refund", "promo_howto": "julien_promo"}  # fmt: skip
