import type { smsEn } from './sms_en';

/** كلمات رقم الهاتف واختيار طريقة الإشعار (#14). */
export const smsAr: Record<keyof typeof smsEn, string> = {
  'contact.phone': 'رقم الجوال (اختياري)',
  'contact.phoneHint': 'لاستلام تذاكرك عبر SMS. رقم تونسي مثل «20 123 456»، وأي رقم آخر مع رمز بلده («+33 6 12 34 56 78»).',
  'contact.country': 'بلد الرقم',
  'contact.notify': 'أرسل تذاكري وإشعاراتي عبر',
  'contact.notifyEmail': 'البريد الإلكتروني',
  'contact.notifySms': 'SMS',
  'contact.notifyBoth': 'البريد الإلكتروني وSMS',
  'contact.smsOff': 'التذاكر عبر SMS غير متاحة هنا؛ تصلك عبر البريد الإلكتروني.',
  'contact.smsNote': 'تحمل رسالة SMS اسم الحدث وتاريخه ورابط صفحة تذاكرك، وليس التذكرة نفسها أبدًا.',
  'contact.title': 'حسابك',
  'contact.save': 'حفظ',
  'contact.saved': 'تم الحفظ.',
  'nav.account': 'الحساب',
};
