import type { smsEn } from './sms_en';

/** Mots français du numéro de téléphone et du choix des avis (#14). */
export const smsFr: Record<keyof typeof smsEn, string> = {
  'contact.phone': 'Numéro de mobile (facultatif)',
  'contact.phoneHint': 'Pour recevoir vos billets par SMS. Un numéro tunisien comme « 20 123 456 », tout autre avec son indicatif (« +33 6 12 34 56 78 »).',
  'contact.country': 'Pays du numéro',
  'contact.notify': 'Recevoir mes billets et avis par',
  'contact.notifyEmail': 'E-mail',
  'contact.notifySms': 'SMS',
  'contact.notifyBoth': 'E-mail et SMS',
  'contact.smsOff': 'Les billets par SMS ne sont pas proposés ici ; ils arrivent par e-mail.',
  'contact.smsNote': 'Le SMS donne l’événement, sa date et un lien vers votre page de billets, jamais le billet lui-même.',
  'contact.title': 'Votre compte',
  'contact.save': 'Enregistrer',
  'contact.saved': 'Enregistré.',
  'nav.account': 'Compte',
};
