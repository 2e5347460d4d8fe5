/** The storefront page where a buyer sees an order's tickets with their QR codes. */
export function ticketsUrl(publicUrl: string, orderId: string): string {
  return `${publicUrl}/orders/${orderId}`;
}
