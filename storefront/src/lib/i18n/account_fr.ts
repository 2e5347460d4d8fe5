import type { accountEn } from './account_en';

export const accountFr: Record<keyof typeof accountEn, string> = {
  'account.verifyTitle': 'Vérifier votre e-mail',
  'account.verifyIntro': 'Confirmez que cette adresse est la vôtre. Certains événements ne vendent qu’aux comptes dont l’e-mail est vérifié.',
  'account.verifySubmit': 'Confirmer mon e-mail',
  'account.verified': 'Votre e-mail est vérifié. Vous pouvez réserver sur les événements qui le demandent.',
  'account.verifyRequestIntro': 'Nous envoyons un lien à l’e-mail de votre compte ; ouvrez-le dans les 24 heures.',
  'account.verifyRequest': 'M’envoyer un lien',
  'account.verifySent': 'Lien envoyé. Regardez votre boîte de réception (et les indésirables).',
  'account.alreadyVerified': 'Votre e-mail est déjà vérifié.',
  'account.setPasswordTitle': 'Choisissez votre mot de passe',
  'account.setPasswordIntro': 'Vous êtes invité à scanner les billets à l’entrée. Choisissez un mot de passe pour créer votre compte.',
  'account.setPasswordSubmit': 'Créer mon compte',
  'error.token_invalid': 'Ce lien n’est pas valide ; copiez le lien entier depuis l’e-mail, ou demandez-en un nouveau.',
  'error.token_expired': 'Ce lien a expiré ; demandez-en un nouveau.',
  'error.token_used': 'Ce lien a déjà servi ; il ne fonctionne qu’une fois.',
  'error.invite_withdrawn': 'L’organisateur a retiré cette invitation ; demandez-lui de vous inviter à nouveau.',
  'error.verification_required': 'Cet événement ne vend qu’aux comptes dont l’e-mail est vérifié : vérifiez le vôtre sur /verify-email, puis réessayez.',
  'error.address_limit_reached': 'Votre connexion réserve déjà autant de billets de cet événement que l’organisateur le permet ; terminez ou libérez ces réservations d’abord.',
  'error.too_many_requests': 'Trop de liens demandés ; utilisez le dernier, ou réessayez plus tard.',
};
