/**
 * Database rows use snake_case columns, domain records camelCase fields. Every store used to map
 * one to the other field by field; `camelRow` does the renaming once, with the types computed from
 * the row's own interface, so a store only writes the fields that need converting (JSON text,
 * numbers a driver returns as strings) and the compiler still checks the result against the record.
 *
 * The columns are named, never taken as they come: rows are read with `SELECT *`, and a column that
 * must not leave the store (a wrapped key, a secret's hash) must not ride along into a record that
 * an API returns.
 */

/** `tenant_id` → `tenantId`. */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** The named columns of a row, renamed to camelCase, values unchanged. */
export type CamelRow<Row, Column extends keyof Row> = { [K in Column as K extends string ? CamelCase<K> : never]: Row[K] };

export function camelCase<S extends string>(name: S): CamelCase<S> {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase()) as CamelCase<S>;
}

export function camelRow<Row extends object, Column extends keyof Row & string>(row: Row, columns: readonly Column[]): CamelRow<Row, Column> {
  const renamed: Record<string, unknown> = {};
  for (const column of columns) renamed[camelCase(column)] = row[column];
  return renamed as CamelRow<Row, Column>;
}
