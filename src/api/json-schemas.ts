/**
 * The JSON schemas routes declare again and again. A request object is strict: a property the
 * schema does not name is a 400, never silently ignored, so a misspelt field cannot pass unseen.
 */

/** An object with exactly these properties, of which `required` must be present. */
export const strictObject = <const R extends readonly string[], const P extends Record<string, object>>(required: R, properties: P) =>
  ({ type: 'object', additionalProperties: false, required, properties }) as const;

/** The path parameters of a route on one resource by one key (`/v1/tokens/:tokenRef`). */
export const pathParams = (key: string) => strictObject([key], { [key]: { type: 'string', minLength: 1, maxLength: 100 } });

/** The path parameters of a route on one resource by its id (`/v1/terminals/:id`, `/v1/fleet/devices/:id`, …). */
export const idParams = pathParams('id');
