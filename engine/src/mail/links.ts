/** The storefront page where a buyer sees an order's tickets with their QR codes. */
export function ticketsUrl(publicUrl: string, orderId: string): string {
  return `${publicUrl}/orders/${orderId}`;
}

/** The storefront page that posts an email verification token. */
export function verifyEmailUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/verify-email?token=${encodeURIComponent(token)}`;
}

/** The storefront page where an invited staff member chooses a password. */
export function setPasswordUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/set-password?token=${encodeURIComponent(token)}`;
}

/** The door staff's scanner page. */
export function scannerUrl(publicUrl: string): string {
  return `${publicUrl}/scan`;
}

/** The storefront page where a password reset link chooses a new password. */
export function resetPasswordUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
}

/** The storefront page that confirms a new email. */
export function confirmEmailUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/confirm-email?token=${encodeURIComponent(token)}`;
}
