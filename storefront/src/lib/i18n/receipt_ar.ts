import type { receiptEn } from './receipt_en';

export const receiptAr: Record<keyof typeof receiptEn, string> = {
  'receipt.title': 'الإيصال',
  'receipt.each': '{price} للواحدة',
  'receipt.total': 'المجموع',
  'receipt.paidWith': 'طريقة الدفع',
  'receipt.number': 'رقم الطلب',
  'receipt.date': 'التاريخ',
  'receipt.calendar': 'أضِف إلى التقويم (ملف ics)',
  'order.issuing': 'تم استلام الدفع، جارٍ إصدار التذاكر…',
  'tickets.pendingTitle': 'محجوزة، في انتظار الدفع',
  'tickets.pendingLine': '{n} × {type}',
  'tickets.continue': 'متابعة الدفع',
  'error.limit_remaining': 'لهذه الفعالية حدّ للتذاكر لكل شخص: يمكنك أخذ {n|one:تذكرة واحدة أخرى فقط|two:تذكرتين أخريين فقط|few:# تذاكر أخرى فقط|other:# تذكرة أخرى فقط}.',
  'error.limit_none': 'لديك بالفعل أقصى عدد من التذاكر تسمح به هذه الفعالية للشخص الواحد (محجوزة أو مشتراة).',
};
