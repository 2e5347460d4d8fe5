import type { accountEn } from './account_en';

export const accountAr: Record<keyof typeof accountEn, string> = {
  'account.verifyTitle': 'تأكيد بريدك الإلكتروني',
  'account.verifyIntro': 'أكّد أن هذا البريد لك. بعض الفعاليات تبيع فقط للحسابات ذات البريد المؤكَّد.',
  'account.verifySubmit': 'تأكيد بريدي',
  'account.verified': 'تم تأكيد بريدك. يمكنك حجز التذاكر في الفعاليات التي تطلب ذلك.',
  'account.verifyRequestIntro': 'نرسل رابطًا إلى بريد حسابك؛ افتحه خلال 24 ساعة.',
  'account.verifyRequest': 'أرسل لي رابطًا',
  'account.verifySent': 'أُرسل الرابط. تفقد بريدك الوارد (ومجلد الرسائل غير المرغوب فيها).',
  'account.alreadyVerified': 'بريدك مؤكَّد مسبقًا.',
  'account.setPasswordTitle': 'اختر كلمة المرور',
  'account.setPasswordIntro': 'دُعيت لمسح التذاكر عند المدخل. اختر كلمة مرور لإنشاء حسابك.',
  'account.setPasswordSubmit': 'إنشاء حسابي',
  'error.token_invalid': 'هذا الرابط غير صالح؛ انسخ الرابط كاملًا من الرسالة، أو اطلب رابطًا جديدًا.',
  'error.token_expired': 'انتهت صلاحية هذا الرابط؛ اطلب رابطًا جديدًا.',
  'error.token_used': 'استُخدم هذا الرابط من قبل؛ يعمل مرة واحدة.',
  'error.invite_withdrawn': 'سحب المنظم هذه الدعوة؛ اطلب منه دعوتك من جديد.',
  'error.verification_required': 'هذه الفعالية تبيع فقط للحسابات ذات البريد المؤكَّد: أكّد بريدك عبر ‎/verify-email‎ ثم أعد المحاولة.',
  'error.address_limit_reached': 'اتصالك يحجز بالفعل أقصى عدد من تذاكر هذه الفعالية يسمح به المنظم في آن واحد؛ أكمل تلك الحجوزات أو ألغها أولًا.',
  'error.too_many_requests': 'طلبت روابط كثيرة؛ استخدم آخرها، أو أعد المحاولة لاحقًا.',
};
