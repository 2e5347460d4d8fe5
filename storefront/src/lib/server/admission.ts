/** The httpOnly cookie holding a drop's admission token between the queue page and the hold. */
export function admissionCookie(eventId: string): string {
  return `tickr_admission_${eventId.replace(/[^0-9a-f-]/gi, '')}`;
}
