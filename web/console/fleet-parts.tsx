/** Pieces the fleet page's sections share: the device kinds, column heads, kind options, short ids. */
import { t } from '../shared/i18n';

export const KINDS = ['checkout', 'enrollment_kiosk', 'temperature_scanner'] as const;

/** The first characters of an id: enough to tell rows apart; the full id is in the row's data attribute. */
export const shortId = (id: string): string => id.slice(0, 8);

/** A table's column heads from their i18n keys. */
export function Heads({ columns }: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((key) => (
          <th scope="col" key={key}>
            {t(key)}
          </th>
        ))}
      </tr>
    </thead>
  );
}

export function KindOptions() {
  return (
    <>
      {KINDS.map((kind) => (
        <option key={kind} value={kind}>
          {t(`kind.${kind}`)}
        </option>
      ))}
    </>
  );
}
