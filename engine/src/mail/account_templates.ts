import type { Locale, Rendered } from './templates.ts';

/**
 * The account emails of #11, in English, French and Arabic: the verification
 * link, "you were added as staff", and the staff invite with its
 * set-your-password link. Kept apart from the order emails (templates.ts),
 * which render them through `compose`.
 */

export type AccountTemplateData = {
  verify_email: { name: string; link: string };
  /** To an existing account: nothing to do but sign in and open the scanner. */
  staff_added: { name: string; eventName: string; scannerUrl: string };
  /** To an address without an account: the link creates the staff account. */
  staff_invite: { eventName: string; link: string };
  /** A password reset link (#15): short-lived, single use. */
  reset_password: { name: string; link: string };
  /** To the NEW address: the link that confirms it. */
  email_change: { name: string; link: string; newEmail: string };
  /** To the OLD address, once the change is done: a notice, with what to do if it was not you. */
  email_changed: { name: string; newEmail: string };
};

type Words = {
  hello: (n: string) => string; helloAnyone: string;
  verifySubject: string; verifyBody: string; ignore: string;
  addedSubject: (e: string) => string; addedBody: (e: string) => string;
  inviteSubject: (e: string) => string; inviteBody: (e: string) => string;
  resetSubject: string; resetBody: string; resetIgnore: string;
  changeSubject: string; changeBody: (email: string) => string;
  changedSubject: string; changedBody: (email: string) => string; changedNotYou: string;
};

const words: Record<Locale, Words> = {
  en: {
    hello: (n) => `Hello ${n},`, helloAnyone: 'Hello,',
    verifySubject: 'Confirm your email for Tickr',
    verifyBody: 'Open this link to confirm that this is your email. It works once, within 24 hours.',
    ignore: 'If you did not ask for this, ignore this email.',
    addedSubject: (e) => `You were added as staff of ${e}`,
    addedBody: (e) => `The organizer of ${e} added you to its door staff. Sign in with your Tickr account and open the scanner:`,
    inviteSubject: (e) => `You are invited to the door staff of ${e}`,
    inviteBody: (e) => `The organizer of ${e} invited you to scan tickets at the door. Choose your password with this link to create your staff account; it works once, within 3 days.`,
    resetSubject: 'Choose a new Tickr password',
    resetBody: 'Someone asked to reset the password of your Tickr account. Open this link to choose a new one; it works once, within one hour. Every device signed in to your account will be signed out.',
    resetIgnore: 'If it was not you, ignore this email: your password stays as it is.',
    changeSubject: 'Confirm your new email for Tickr',
    changeBody: (e) => `Open this link to make ${e} the email of your Tickr account. It works once, within 24 hours; until then your account keeps its email.`,
    changedSubject: 'The email of your Tickr account changed',
    changedBody: (e) => `The email of your Tickr account is now ${e}. Your emails and password resets go there from now on.`,
    changedNotYou: 'If you did not make this change, write to the organizer or to Tickr support at once.',
  },
  fr: {
    hello: (n) => `Bonjour ${n},`, helloAnyone: 'Bonjour,',
    verifySubject: 'Confirmez votre e-mail pour Tickr',
    verifyBody: 'Ouvrez ce lien pour confirmer que cette adresse est la vôtre. Il fonctionne une fois, pendant 24 heures.',
    ignore: 'Si vous n’avez rien demandé, ignorez cet e-mail.',
    addedSubject: (e) => `Vous faites partie de l’équipe d’accueil de ${e}`,
    addedBody: (e) => `L’organisateur de ${e} vous a ajouté à son équipe d’accueil. Connectez-vous avec votre compte Tickr et ouvrez le scanner :`,
    inviteSubject: (e) => `Invitation à l’équipe d’accueil de ${e}`,
    inviteBody: (e) => `L’organisateur de ${e} vous invite à scanner les billets à l’entrée. Choisissez votre mot de passe avec ce lien pour créer votre compte ; il fonctionne une fois, pendant 3 jours.`,
    resetSubject: 'Choisissez un nouveau mot de passe Tickr',
    resetBody: 'Quelqu’un a demandé à réinitialiser le mot de passe de votre compte Tickr. Ouvrez ce lien pour en choisir un nouveau ; il fonctionne une fois, pendant une heure. Tous les appareils connectés à votre compte seront déconnectés.',
    resetIgnore: 'Si ce n’était pas vous, ignorez cet e-mail : votre mot de passe reste le même.',
    changeSubject: 'Confirmez votre nouvel e-mail pour Tickr',
    changeBody: (e) => `Ouvrez ce lien pour que ${e} devienne l’e-mail de votre compte Tickr. Il fonctionne une fois, pendant 24 heures ; d’ici là, votre compte garde son e-mail.`,
    changedSubject: 'L’e-mail de votre compte Tickr a changé',
    changedBody: (e) => `L’e-mail de votre compte Tickr est désormais ${e}. Vos e-mails et réinitialisations de mot de passe y seront envoyés.`,
    changedNotYou: 'Si vous n’avez pas fait ce changement, écrivez sans attendre à l’organisateur ou au support Tickr.',
  },
  ar: {
    hello: (n) => `مرحبًا ${n}،`, helloAnyone: 'مرحبًا،',
    verifySubject: 'أكّد بريدك الإلكتروني لدى Tickr',
    verifyBody: 'افتح هذا الرابط لتأكيد أن هذا بريدك. يعمل مرة واحدة خلال 24 ساعة.',
    ignore: 'إن لم تطلب ذلك، تجاهل هذه الرسالة.',
    addedSubject: (e) => `أُضفت إلى فريق الاستقبال لـ ${e}`,
    addedBody: (e) => `أضافك منظم ${e} إلى فريق الاستقبال. سجّل الدخول بحسابك في Tickr وافتح الماسح:`,
    inviteSubject: (e) => `دعوة إلى فريق الاستقبال لـ ${e}`,
    inviteBody: (e) => `يدعوك منظم ${e} لمسح التذاكر عند المدخل. اختر كلمة المرور عبر هذا الرابط لإنشاء حسابك؛ يعمل مرة واحدة خلال 3 أيام.`,
    resetSubject: 'اختر كلمة مرور جديدة لـ Tickr',
    resetBody: 'طلب أحدهم إعادة تعيين كلمة مرور حسابك في Tickr. افتح هذا الرابط لاختيار كلمة جديدة؛ يعمل مرة واحدة خلال ساعة. سيُسجَّل خروج كل الأجهزة المتصلة بحسابك.',
    resetIgnore: 'إن لم تكن أنت، تجاهل هذه الرسالة: تبقى كلمة مرورك كما هي.',
    changeSubject: 'أكّد بريدك الجديد لدى Tickr',
    changeBody: (e) => `افتح هذا الرابط ليصبح ${e} بريد حسابك في Tickr. يعمل مرة واحدة خلال 24 ساعة؛ وحتى ذلك يبقى بريد حسابك كما هو.`,
    changedSubject: 'تغيّر بريد حسابك في Tickr',
    changedBody: (e) => `أصبح بريد حسابك في Tickr الآن ${e}. سترسل إليه رسائلك وروابط إعادة تعيين كلمة المرور من الآن.`,
    changedNotYou: 'إن لم تقم بهذا التغيير، راسل المنظم أو دعم Tickr فورًا.',
  },
};

type Compose = (locale: Locale, subject: string, paragraphs: string[], link?: string) => Rendered;

export function renderAccountEmail<T extends keyof AccountTemplateData>(compose: Compose, template: T, locale: Locale, data: AccountTemplateData[T]): Rendered {
  const w = words[locale];
  switch (template) {
    case 'verify_email': {
      const d = data as AccountTemplateData['verify_email'];
      return compose(locale, w.verifySubject, [w.hello(d.name), w.verifyBody, w.ignore], d.link);
    }
    case 'staff_added': {
      const d = data as AccountTemplateData['staff_added'];
      return compose(locale, w.addedSubject(d.eventName), [w.hello(d.name), w.addedBody(d.eventName)], d.scannerUrl);
    }
    case 'staff_invite': {
      const d = data as AccountTemplateData['staff_invite'];
      return compose(locale, w.inviteSubject(d.eventName), [w.helloAnyone, w.inviteBody(d.eventName), w.ignore], d.link);
    }
    case 'reset_password': {
      const d = data as AccountTemplateData['reset_password'];
      return compose(locale, w.resetSubject, [w.hello(d.name), w.resetBody, w.resetIgnore], d.link);
    }
    case 'email_change': {
      const d = data as AccountTemplateData['email_change'];
      return compose(locale, w.changeSubject, [w.hello(d.name), w.changeBody(d.newEmail), w.ignore], d.link);
    }
    case 'email_changed': {
      const d = data as AccountTemplateData['email_changed'];
      return compose(locale, w.changedSubject, [w.hello(d.name), w.changedBody(d.newEmail), w.changedNotYou]);
    }
    default:
      throw new TypeError(`unknown account email template ${String(template)}`);
  }
}
