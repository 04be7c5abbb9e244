/** The path parameters of a route on one resource by its id (`/v1/terminals/:id`, `/v1/fleet/devices/:id`, …). */
export const idParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;
