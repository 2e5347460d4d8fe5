/** Buyers (#15): the receipt, the calendar file, the page right after paying, pending holds, and the limit message. */
export const receiptEn = {
  'receipt.title': 'Receipt',
  'receipt.each': '{price} each',
  'receipt.total': 'Total',
  'receipt.paidWith': 'Paid with',
  'receipt.number': 'Order number',
  'receipt.date': 'Date',
  'receipt.calendar': 'Add to calendar (.ics)',
  'order.issuing': 'Payment received, issuing tickets…',
  'tickets.pendingTitle': 'Held, waiting for payment',
  'tickets.pendingLine': '{n} × {type}',
  'tickets.continue': 'Continue to checkout',
  'error.limit_remaining': 'This event allows a limited number of tickets per person: you can take {n|one:only 1 more ticket|other:# more tickets}.',
  'error.limit_none': 'You already have as many tickets as this event allows per person (held or bought).',
} as const;
