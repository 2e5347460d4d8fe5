import type { receiptEn } from './receipt_en';

export const receiptFr: Record<keyof typeof receiptEn, string> = {
  'receipt.title': 'Reçu',
  'receipt.each': '{price} l’unité',
  'receipt.total': 'Total',
  'receipt.paidWith': 'Payé par',
  'receipt.number': 'Numéro de commande',
  'receipt.date': 'Date',
  'receipt.calendar': 'Ajouter à l’agenda (.ics)',
  'order.issuing': 'Paiement reçu, émission des billets…',
  'tickets.pendingTitle': 'Réservés, en attente de paiement',
  'tickets.pendingLine': '{n} × {type}',
  'tickets.continue': 'Continuer vers le paiement',
  'error.limit_remaining': 'Cet événement limite le nombre de billets par personne : vous pouvez encore en prendre {n|one:un seul|other:#}.',
  'error.limit_none': 'Vous avez déjà autant de billets que cet événement en permet par personne (réservés ou achetés).',
};
