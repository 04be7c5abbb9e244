/** Small shared pieces of layout: one page frame with a skip link, one alert, one labelled field, one form, one table. */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from './i18n';

export function Page({ title, children, aside }: { title: string; children: ComponentChildren; aside?: ComponentChildren }) {
  return (
    <>
      <a class="skip-link" href="#main">
        {t('common.skipToContent')}
      </a>
      <header class="app-header">
        <span class="brand" aria-hidden="true">
          facekey
        </span>
        <h1>{title}</h1>
        {aside}
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** A step's heading takes focus when the step appears, so screen-reader and keyboard users land on it. */
export function StepHeading({ children, testId }: { children: ComponentChildren; testId?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <h2 ref={ref} tabIndex={-1} data-testid={testId}>
      {children}
    </h2>
  );
}

export function ErrorNote({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="note note-error" role="alert" data-testid="error">
      {message}
    </p>
  );
}

export function Field({ label, hint, children, id }: { label: string; hint?: string; id: string; children: JSX.Element }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {children}
    </div>
  );
}

/**
 * A form that stays on the page: submitting (a button, or Enter in a field) runs `onSubmit`, whose
 * errors are its own to show. `labelledBy` names the heading that labels the form, when it has one.
 */
export function SubmitForm({
  onSubmit,
  labelledBy,
  children,
}: {
  onSubmit: () => Promise<unknown>;
  labelledBy?: string;
  children: ComponentChildren;
}) {
  const submit = (event: Event) => {
    event.preventDefault();
    void onSubmit();
  };
  return (
    <form aria-labelledby={labelledBy} onSubmit={submit}>
      {children}
    </form>
  );
}

export function Table({
  headings,
  caption,
  class: className,
  testId,
  children,
}: {
  headings: string[];
  caption?: string;
  class?: string;
  testId?: string;
  children: ComponentChildren;
}) {
  return (
    <table class={className} data-testid={testId}>
      {caption ? <caption>{caption}</caption> : null}
      <thead>
        <tr>
          {headings.map((heading) => (
            <th scope="col" key={heading}>
              {heading}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

export function Busy({ label }: { label: string }) {
  return (
    <p class="busy" role="status" aria-live="polite">
      {label}
    </p>
  );
}

/** Offers `data` as a JSON file through a Blob URL (no server round trip, nothing inline). */
export function downloadJson(fileName: string, data: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
