import type { basketEn } from './basket_en';

/** Mots du panier et des titulaires de billets (#15). */
export const basketFr: Record<keyof typeof basketEn, string> = {
  'basket.title': 'Plusieurs types ensemble',
  'basket.hint': 'Choisissez combien de billets de chaque type ; ils sont réservés ensemble, tous ou aucun, et payés en une seule commande.',
  'basket.quantityOf': 'Nombre de billets {name}',
  'basket.hold': 'Réserver ensemble',
  'basket.holdTotal': 'Réserver {count|one:# billet|other:# billets} · {amount}',
  'basket.empty': 'Choisissez au moins un billet.',
  'basket.overLimit': '{count|one:# billet|other:# billets} au plus par personne, en tout.',
  'holder.title': 'Qui porte chaque billet',
  'holder.hint': 'Un nom par billet, affiché sur le billet et à l’entrée. Laissez vide pour mettre le vôtre.',
  'holder.label': '{type}, billet {n}',
  'holder.name': 'Titulaire',
  'holder.save': 'Enregistrer le nom',
  'holder.saved': 'Nom enregistré.',
  'holder.change': 'Changer le titulaire',
  'error.hold_in_another_order': 'Une réservation de ce panier est déjà dans une autre commande ; ouvrez cette commande ou choisissez à nouveau vos billets.',
  'error.basket_mixed_events': 'Tous les billets d’un panier doivent être du même évènement.',
  'error.too_many_holder_names': 'Un nom par billet au plus.',
  'error.event_started': 'L’évènement a commencé : les titulaires ne peuvent plus changer.',
  'error.ticket_used': 'Ce billet a déjà servi à l’entrée.',
};
