/** Numbers and times as the console shows them, in the reader's language. */
import { currentLanguage, t } from '../shared/i18n';

export const number = (n: number): string => new Intl.NumberFormat(currentLanguage()).format(n);
export const percent = (n: number): string => new Intl.NumberFormat(currentLanguage(), { style: 'percent', maximumFractionDigits: 1 }).format(n);
export const dateTime = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString(currentLanguage()) : t('common.never'));
