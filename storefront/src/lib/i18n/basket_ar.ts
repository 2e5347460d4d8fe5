import type { basketEn } from './basket_en';

/** كلمات السلة وأصحاب التذاكر (#15). */
export const basketAr: Record<keyof typeof basketEn, string> = {
  'basket.title': 'عدة أنواع معًا',
  'basket.hint': 'اختر عدد التذاكر من كل نوع؛ تُحجز معًا، كلها أو لا شيء، وتُدفع في طلب واحد.',
  'basket.quantityOf': 'عدد تذاكر {name}',
  'basket.hold': 'احجز معًا',
  'basket.holdTotal': 'احجز {count|zero:# تذكرة|one:تذكرة واحدة|two:تذكرتين|few:# تذاكر|many:# تذكرة|other:# تذكرة} · {amount}',
  'basket.empty': 'اختر تذكرة واحدة على الأقل.',
  'basket.overLimit': 'حتى {count|one:تذكرة واحدة|two:تذكرتين|few:# تذاكر|many:# تذكرة|other:# تذكرة} للشخص الواحد في المجموع.',
  'holder.title': 'صاحب كل تذكرة',
  'holder.hint': 'اسم لكل تذكرة، يظهر على التذكرة وعند الدخول. اتركه فارغًا لاستعمال اسمك.',
  'holder.label': '{type}، التذكرة {n}',
  'holder.name': 'صاحب التذكرة',
  'holder.save': 'احفظ الاسم',
  'holder.saved': 'تم حفظ الاسم.',
  'holder.change': 'غيّر صاحب التذكرة',
  'error.hold_in_another_order': 'إحدى حجوزات هذه السلة موجودة في طلب آخر؛ افتح ذلك الطلب أو اختر التذاكر من جديد.',
  'error.basket_mixed_events': 'يجب أن تكون كل تذاكر السلة للحدث نفسه.',
  'error.too_many_holder_names': 'اسم واحد لكل تذكرة على الأكثر.',
  'error.event_started': 'بدأ الحدث؛ لم يعد ممكنًا تغيير أصحاب التذاكر.',
  'error.ticket_used': 'استُعملت هذه التذكرة عند الدخول.',
};
