/**
 * English words of cancelling an event and the attendee list (#15), spread
 * into en.ts; cancel_fr.ts and cancel_ar.ts must have every key.
 */
export const cancelEn = {
  'cancel.badge': 'Cancelled',
  'cancel.title': 'Cancel this event',
  'cancel.hint': 'Sales stop at once, every ticket stops admitting at the door, and every paid order is refunded in full through its payment provider. Each buyer is told in their language, by email or SMS as they chose. This cannot be undone.',
  'cancel.typeName': 'To confirm, type the event’s name: {name}',
  'cancel.button': 'Cancel the event and refund everyone',
  'cancel.confirm': 'Cancel “{name}” and refund every buyer? This cannot be undone.',
  'cancel.mismatch': 'The name you typed is not the event’s name; nothing was cancelled.',
  'cancel.started': 'The event is cancelled. Refunds are under way.',
  'cancel.progressTitle': 'Cancellation',
  'cancel.state.stopping': 'Stopping sales and listing the paid orders…',
  'cancel.state.refunding': 'Refunding the paid orders…',
  'cancel.state.done': 'Done: every paid order is refunded.',
  'cancel.refunded': 'Refunded',
  'cancel.progress': '{refunded} / {total} orders',
  'cancel.manual': 'Konnect orders an operator must refund by hand: {count}',
  'cancel.public': 'This event was cancelled by its organizer. Every paid order is refunded in full, and its tickets no longer admit.',
  'attendees.title': 'Attendee list',
  'attendees.export': 'Download the attendee list (CSV)',
  'attendees.hint': 'Name, email, ticket type, order, and whether and when each ticket was checked in ({zone} time). Opens in Excel and other spreadsheets.',
  'error.confirmation_mismatch': 'The name you typed is not the event’s name; nothing was cancelled.',
  'error.event_cancelled': 'This event was cancelled by its organizer: nothing more is sold.',
} as const;
