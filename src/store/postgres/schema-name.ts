import { InvalidArgument } from '../../errors/domain-errors.js';

const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The schema name is spliced into SQL and into the connection's search_path, where parameters are
 * not possible, so only plain lower-case identifiers are accepted — nothing that needs quoting.
 */
export function checkSchemaName(schema: string): string {
  if (!PLAIN_IDENTIFIER.test(schema)) {
    throw new InvalidArgument('schema must be a plain lower-case SQL identifier', { schema });
  }
  return schema;
}
