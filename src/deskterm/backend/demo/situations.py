"""Why customers write, part one: problems with an order (what arrived, when, where).

Each situation has several phrasings per language so that generated threads do not repeat
verbatim; a situation also names the macros an agent would answer it with.
"""

from __future__ import annotations

from deskterm.backend.demo.situation import Situation

ORDER_SITUATIONS: tuple[Situation, ...] = (
    Situation(
        "missing-item",
        "missing-item",
        15,
        "after",
        subjects={
            "fr": ("Article manquant", "Il manque {item_ref}", "Commande {order} incomplète"),
            "en": ("Missing item", "{Item_ref} is missing", "Order {order} incomplete"),
        },
        first={
            "fr": (
                "Bonjour, il manque {item_ref} dans ma commande {order}. "
                "Qu'est-ce qu'on peut faire ?",
                "il manque {item_ref} 😕 commande {order}",
                "Bonsoir, je viens d'ouvrir le sac et {item_ref} manque. "
                "Vous pouvez faire quelque chose ?",
                "Commande {order} livrée mais incomplète : {item_ref} manque à l'appel. "
                "C'est la deuxième fois ce mois-ci…",
                "Bonjour ! Tout est arrivé sauf {item_ref}, dommage, c'était pour les enfants.",
            ),
            "en": (
                "Hi, {item_ref} is missing from my order {order}. What can you do?",
                "{item_ref} missing from {order} :(",
                "Hello, I just opened the bag and there's no {item_name}. Can you help?",
                "Order {order} arrived incomplete: {item_ref} wasn't in the bag. "
                "Second time this month…",
                "Hey! Everything arrived except {item_ref}, a bit disappointing as it was "
                "for the kids.",
            ),
        },
        replies={
            "fr": (
                "Toutes nos excuses pour {item_ref} ! Je rembourse l'article tout de suite, "
                "vous le verrez sur votre carte d'ici quelques jours.",
                "Désolés pour cet oubli. J'ai prévenu la cuisine et l'article partira "
                "gratuitement avec votre prochaine commande.",
            ),
            "en": (
                "So sorry about {item_ref}! I'm refunding it right away; you'll see it on "
                "your card within a few days.",
                "Sorry for the slip. I've told the kitchen and the item will come free with "
                "your next order.",
            ),
        },
        notes={
            "en": (
                "Checked with the kitchen: the {item_name} was out of stock at packing time.",
                "Packing photo for {order} shows no {item_name}. Our mistake.",
            ),
            "fr": (
                "Vérifié avec la cuisine : rupture de {item_name} au moment de l'emballage.",
                "Photo d'emballage de {order} : pas de {item_name}. Erreur de notre côté.",
            ),
        },
        macros=("missing_resend", "missing_resend", "missing_refund"),
    ),
    Situation(
        "late-delivery",
        "late-delivery",
        14,
        "during",
        subjects={
            "fr": (
                "Livraison en retard",
                "Commande {order} toujours pas arrivée",
                "Où est ma commande ?",
            ),
            "en": ("Late delivery", "Order {order} not here yet", "Where is my order?"),
        },
        first={
            "fr": (
                "Bonjour, ma commande {order} devait arriver entre {slot} et toujours rien. "
                "Il est {time}…",
                "toujours pas livré ?? créneau {slot}, j'ai faim 😩",
                "Bonsoir, ça fait {minutes} minutes que le créneau est passé et pas de livreur. "
                "Commande {order}.",
                "Bonjour, le suivi indique « en route » depuis {minutes} minutes mais personne "
                "en vue. Vous pouvez vérifier ?",
                "Livraison en retard, encore. Commande {order}, créneau {slot}. "
                "Ça devient pénible.",
            ),
            "en": (
                "Hi, my order {order} was due between {slot} and still nothing. It's {time}…",
                "still not delivered?? slot was {slot}, getting hungry here",
                "Hello, the slot ended {minutes} minutes ago and no sign of the courier. "
                "Order {order}.",
                "Hi, tracking has said 'on the way' for {minutes} minutes but nobody's here. "
                "Can you check?",
                "Late again. Order {order}, slot {slot}. This is getting annoying.",
            ),
        },
        replies={
            "fr": (
                "Je viens d'appeler le livreur : il a été retardé par la circulation et arrive "
                "d'ici une dizaine de minutes. Toutes nos excuses pour l'attente.",
                "Vous avez raison, c'est beaucoup trop long. J'ai relancé la cuisine et le "
                "livreur, et la livraison de votre prochaine commande est offerte.",
            ),
            "en": (
                "I've just called the courier: they were held up in traffic and will be with "
                "you in about ten minutes. Sorry for the wait.",
                "You're right, that's far too long. I've chased the kitchen and the courier, "
                "and delivery on your next order is on us.",
            ),
        },
        notes={
            "en": (
                "Courier stuck on the périphérique, ETA +{minutes} min.",
                "Kitchen running 20 min behind on the {slot} wave, called the courier.",
            ),
            "fr": (
                "Livreur bloqué sur le périph, ETA +{minutes} min.",
                "Cuisine en retard de 20 min sur la vague {slot}, livreur prévenu.",
            ),
        },
        macros=("late_on_its_way", "late_voucher"),
    ),
    Situation(
        "wrong-item",
        "wrong-item",
        4,
        "after",
        subjects={
            "fr": ("Mauvais plat reçu", "Erreur de commande"),
            "en": ("Wrong dish", "Wrong order received"),
        },
        first={
            "fr": (
                "Bonjour, j'ai reçu {wrong_ref} à la place de {dish_ref}. Commande {order}.",
                "erreur dans ma commande : {wrong_ref} au lieu de {dish_ref} 🙄",
                "Bonsoir, ce n'est pas du tout ce que j'ai commandé, il y a {wrong_ref} dans "
                "le sac.",
                "Commande {order} : mauvais plat livré ({wrong_name} au lieu de {dish_name}).",
            ),
            "en": (
                "Hi, I got {wrong_ref} instead of {dish_ref}. Order {order}.",
                "wrong dish in my order: {wrong_ref} instead of {dish_ref}",
                "Hello, this isn't what I ordered at all, there's {wrong_ref} in the bag.",
                "Order {order}: wrong dish delivered ({wrong_name} instead of {dish_name}).",
            ),
        },
        replies={
            "fr": (
                "Toutes nos excuses pour cette erreur de préparation ! Je vous rembourse "
                "{dish_ref} et je préviens la cuisine.",
            ),
            "en": (
                "Sorry for the mix-up in the kitchen! I'm refunding {dish_ref} and letting "
                "the team know.",
            ),
        },
        notes={
            "en": ("Labels swapped at packing, told the kitchen lead.",),
            "fr": ("Étiquettes inversées à l'emballage, chef de cuisine prévenu.",),
        },
        macros=("wrong_item",),
        photo=True,
    ),
    Situation(
        "damaged-packaging",
        "damaged-packaging",
        4,
        "after",
        subjects={
            "fr": ("Emballage abîmé", "Commande arrivée renversée"),
            "en": ("Damaged packaging", "Order arrived spilled"),
        },
        first={
            "fr": (
                "Bonjour, la boîte de {dish_name} était ouverte et la sauce a coulé partout "
                "dans le sac. Photo jointe.",
                "sac complètement trempé, la sauce s'est renversée 😞 commande {order}",
                "Bonsoir, commande {order} arrivée dans un sale état : couvercle cassé, "
                "tout a coulé.",
                "Bonjour, le dessert était écrasé et la boîte fendue. Pas très appétissant…",
            ),
            "en": (
                "Hi, the box of {dish_name} was open and sauce leaked all over the bag. "
                "Photo attached.",
                "bag completely soaked, sauce spilled everywhere :( order {order}",
                "Hello, order {order} arrived in a bad state: broken lid, everything leaked.",
                "Hi, the dessert was squashed and the box cracked. Not very appetising…",
            ),
        },
        replies={
            "fr": (
                "Quelle déception, désolés ! Je vous rembourse {dish_ref} et je remonte le "
                "problème d'emballage à notre équipe logistique.",
            ),
            "en": (
                "What a disappointment, sorry! I'm refunding {dish_ref} and reporting the "
                "packaging issue to our logistics team.",
            ),
        },
        notes={
            "en": (
                "Third leaking lid this week from the new supplier, flagged to ops.",
                "Photo shows the lid split, courier not at fault.",
            ),
            "fr": (
                "Troisième couvercle qui fuit cette semaine (nouveau fournisseur), remonté aux "
                "ops.",
            ),
        },
        macros=("damaged_credit",),
        photo=True,
    ),
    Situation(
        "slot-change",
        "slot-change",
        6,
        "before",
        subjects={
            "fr": ("Changement de créneau", "Décaler ma livraison"),
            "en": ("Change delivery slot", "Move my delivery"),
        },
        first={
            "fr": (
                "Bonjour, est-il possible de décaler ma livraison sur le créneau {new_slot} ? "
                "Commande {order}.",
                "je peux changer mon créneau ? plutôt {new_slot} svp",
                "Bonjour, je ne serai pas chez moi entre {slot}. Pouvez-vous livrer entre "
                "{new_slot} à la place ?",
                "Commande {order} : j'aimerais passer au créneau {new_slot}, merci !",
            ),
            "en": (
                "Hi, could you move my delivery to the {new_slot} slot? Order {order}.",
                "can i change my slot? {new_slot} would be better",
                "Hello, I won't be home between {slot}. Could you deliver between {new_slot} "
                "instead?",
                "Order {order}: I'd like to switch to the {new_slot} slot, thanks!",
            ),
        },
        replies={
            "fr": (
                "C'est fait : votre commande sera livrée entre {new_slot}. Vous recevrez un "
                "SMS quand le livreur partira.",
            ),
            "en": (
                "Done: your order will now arrive between {new_slot}. You'll get a text when "
                "the courier leaves.",
            ),
        },
        notes={
            "en": ("Moved {order} to {new_slot}, dispatch updated.",),
            "fr": ("{order} décalée sur {new_slot}, dispatch à jour.",),
        },
        macros=("slot_changed", "slot_changed", "slot_too_late"),
    ),
    Situation(
        "wrong-address",
        "wrong-address",
        3,
        "before",
        subjects={
            "fr": ("Changement d'adresse", "Mauvaise adresse de livraison"),
            "en": ("Wrong delivery address", "Change of address"),
        },
        first={
            "fr": (
                "Bonjour, je me suis trompé d'adresse pour la commande {order} ! C'est au "
                "{number} {street}, pas à l'ancienne adresse.",
                "mauvaise adresse sur ma commande 😱 c'est {number} {street}, {city}",
                "Bonjour, pouvez-vous modifier l'adresse de livraison ? Je suis au bureau "
                "aujourd'hui : {number} {street}.",
                "Le livreur va partir à mon ancienne adresse… Commande {order}, je suis "
                "maintenant au {number} {street}.",
            ),
            "en": (
                "Hi, I put the wrong address on order {order}! It's {number} {street}, not "
                "my old address.",
                "wrong address on my order 😱 it's {number} {street}, {city}",
                "Hello, can you change the delivery address? I'm at the office today: "
                "{number} {street}.",
                "The courier is going to my old address… Order {order}, I'm now at "
                "{number} {street}.",
            ),
        },
        replies={
            "fr": (
                "C'est corrigé : le livreur a bien la nouvelle adresse, {number} {street}. "
                "Pensez à la mettre à jour dans l'appli pour la prochaine fois.",
            ),
            "en": (
                "Fixed: the courier has the new address, {number} {street}. Do update it in "
                "the app for next time.",
            ),
        },
        notes={
            "en": ("Called the courier with the new address, 10 min detour.",),
            "fr": ("Livreur appelé avec la nouvelle adresse, détour de 10 min.",),
        },
        macros=("address_updated",),
        priority="high",
    ),
    Situation(
        "cancellation",
        "cancellation",
        5,
        "before",
        subjects={
            "fr": ("Annulation de commande", "Annuler la commande {order}"),
            "en": ("Cancel my order", "Order cancellation"),
        },
        first={
            "fr": (
                "Bonjour, je souhaite annuler ma commande {order}, un imprévu ce soir.",
                "annulez ma commande svp, je ne serai pas là",
                "Bonjour, est-il encore possible d'annuler la commande {order} prévue entre "
                "{slot} ?",
                "Je voudrais annuler, j'ai commandé deux fois par erreur. Commande {order}.",
            ),
            "en": (
                "Hi, I'd like to cancel my order {order}, something came up tonight.",
                "please cancel my order, I won't be home",
                "Hello, is it still possible to cancel order {order} for the {slot} slot?",
                "I'd like to cancel, I ordered twice by mistake. Order {order}.",
            ),
        },
        replies={
            "fr": (
                "C'est annulé, et le remboursement est lancé ; il apparaîtra sur votre compte "
                "sous quelques jours.",
            ),
            "en": (
                "All cancelled, and the refund is on its way; it'll show on your account "
                "within a few days.",
            ),
        },
        notes={
            "en": ("Cancelled before the kitchen started, no waste.",),
            "fr": ("Annulée avant la mise en production, pas de perte.",),
        },
        macros=("cancel_done", "cancel_done", "cancel_too_late"),
    ),
    Situation(
        "refund",
        "refund",
        7,
        "after",
        subjects={
            "fr": (
                "Demande de remboursement",
                "Remboursement commande {order}",
                "Double prélèvement",
            ),
            "en": ("Refund request", "Refund for order {order}", "Charged twice"),
        },
        first={
            "fr": (
                "Bonjour, j'aimerais être remboursé pour la commande {order}, le repas était "
                "froid à l'arrivée.",
                "je veux un remboursement, {dish_ref} était immangeable",
                "Bonjour, j'ai été prélevé deux fois pour la commande {order} ({amount}). "
                "Pouvez-vous rembourser le doublon ?",
                "Bonsoir, la commande {order} n'est jamais arrivée mais j'ai été débité de "
                "{amount}. Je souhaite un remboursement.",
            ),
            "en": (
                "Hi, I'd like a refund for order {order}, the meal was cold when it arrived.",
                "i want a refund, {dish_ref} was inedible",
                "Hello, I was charged twice for order {order} ({amount}). Can you refund the "
                "duplicate?",
                "Hi, order {order} never arrived but I was charged {amount}. I'd like a refund.",
            ),
        },
        replies={
            "fr": (
                "Je comprends. J'ai lancé le remboursement de {amount} sur votre carte ; il "
                "apparaîtra sous 3 à 5 jours ouvrés.",
            ),
            "en": (
                "I understand. I've started a refund of {amount} to your card; it'll show "
                "within 3 to 5 working days.",
            ),
        },
        notes={
            "en": (
                "Refund of {amount} issued in the back office.",
                "Double charge confirmed with the payment provider, second payment refunded.",
            ),
            "fr": (
                "Remboursement de {amount} fait dans le back-office.",
                "Double débit confirmé, second paiement remboursé.",
            ),
        },
        macros=("refund_done", "refund_done", "refund_review"),
    ),
)
