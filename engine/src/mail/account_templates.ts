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
};

type Words = {
  hello: (n: string) => string; helloAnyone: string;
  verifySubject: string; verifyBody: string; ignore: string;
  addedSubject: (e: string) => string; addedBody: (e: string) => string;
  inviteSubject: (e: string) => string; inviteBody: (e: string) => string;
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
    default:
      throw new TypeError(`unknown account email template ${String(template)}`);
  }
}
