/**
 * An expected refusal of an order operation (not a bug): the edge turns it
 * into its status and the one JSON error shape. Engine refusals (sold_out,
 * hold_expired, ...) travel as `engineReason` so the edge words them as it
 * words them everywhere else.
 */
export class OrderError extends Error {
  override name = 'OrderError';
  readonly status: number;
  readonly code: string;
  readonly engineReason: string | undefined;

  constructor(status: number, code: string, message: string, engineReason?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.engineReason = engineReason;
  }
}

export const orderNotFound = () => new OrderError(404, 'order_not_found', 'No such order; check the order id.');
