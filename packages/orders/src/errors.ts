/** Base of every error this package throws. */
export class OrdersError extends Error {
  override name = 'OrdersError';
}

/** An option is out of range or malformed; the message names it and the accepted values. */
export class GenerateOptionsError extends OrdersError {
  override name = 'GenerateOptionsError';
}
