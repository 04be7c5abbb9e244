import fc from 'fast-check';

type Schema = Record<string, any>;

/**
 * A fast-check arbitrary of values that satisfy a JSON Schema (the subset facekey's route schemas
 * use, in their OpenAPI 3.0 form: object, array, string with pattern/length/enum/byte, integer and
 * number bounds with boolean exclusive modifiers, boolean, enum). Unknown shapes fall back to any
 * JSON value, which is still a fair request to throw at a service.
 */
export function validValue(schema: Schema | undefined): fc.Arbitrary<unknown> {
  if (!schema) return fc.jsonValue();
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  if (Array.isArray(schema.oneOf ?? schema.anyOf)) return fc.oneof(...(schema.oneOf ?? schema.anyOf).map(validValue));
  switch (schema.type) {
    case 'object':
      return objectOf(schema);
    case 'array': {
      const min = schema.minItems ?? 0;
      const max = Math.min(schema.maxItems ?? min + 4, min + 4);
      const items = validValue(schema.items);
      return schema.uniqueItems
        ? fc.uniqueArray(items, { minLength: min, maxLength: max, selector: (v) => JSON.stringify(v) })
        : fc.array(items, { minLength: min, maxLength: max });
    }
    case 'string':
      return stringOf(schema);
    case 'integer':
    case 'number': {
      const integer = schema.type === 'integer';
      let min = schema.minimum ?? (integer ? -1_000_000 : -1e6);
      let max = schema.maximum ?? (integer ? 1_000_000_000 : 1e6);
      if (schema.exclusiveMinimum === true) min = integer ? min + 1 : min + Number.EPSILON * Math.max(1, Math.abs(min)) * 4;
      if (schema.exclusiveMaximum === true) max = integer ? max - 1 : max - Number.EPSILON * Math.max(1, Math.abs(max)) * 4;
      return integer
        ? fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) })
        : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectOf(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  const properties: Record<string, Schema> = schema.properties ?? {};
  const required: string[] = schema.required ?? [];
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) record[name] = validValue(property);
  return fc.record(record, { requiredKeys: required.filter((name) => name in record) }) as fc.Arbitrary<Record<string, unknown>>;
}

function stringOf(schema: Schema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? Math.max(minLength, 40);
  const fits = (s: string) => s.length >= minLength && s.length <= maxLength;
  if (schema.format === 'byte') return fc.uint8Array({ minLength: Math.max(1, minLength), maxLength: 64 }).map((b) => Buffer.from(b).toString('base64'));
  if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
  if (schema.format === 'uuid') return fc.uuid();
  return fc.string({ minLength, maxLength: Math.min(maxLength, minLength + 40), unit: 'grapheme' });
}

/**
 * Near misses and garbage around a schema: a valid value with one property dropped, retyped or
 * added, a value of the wrong type altogether, or any JSON. Validation must refuse each cleanly (4xx).
 */
export function nearMiss(schema: Schema | undefined): fc.Arbitrary<unknown> {
  const anyJson = fc.jsonValue({ maxDepth: 3 });
  if (!schema || schema.type !== 'object') return fc.oneof(anyJson, validValue(schema));
  const names = Object.keys(schema.properties ?? {});
  const base = objectOf(schema);
  const variants: Array<fc.Arbitrary<unknown>> = [
    anyJson,
    fc.tuple(base, fc.string({ minLength: 1, maxLength: 12 }), anyJson).map(([o, k, v]) => ({ ...o, [k]: v })),
  ];
  if (names.length > 0) {
    variants.push(fc.tuple(base, fc.constantFrom(...names), anyJson).map(([o, k, v]) => ({ ...o, [k]: v })));
    variants.push(
      fc.tuple(base, fc.constantFrom(...names)).map(([o, k]) => {
        const copy = { ...o };
        delete copy[k];
        return copy;
      }),
    );
  }
  return fc.oneof(...variants);
}
