/**
 * A form's text fields as one state object: `input(name)` binds an <input> to its field (value and
 * onInput), `select(name)` a <select> (value and onChange), so a form does not spell out the same
 * "copy the state with this field changed" handler for every control.
 */
import { useState } from 'preact/hooks';

type Fields = Record<string, string>;

export function useForm<F extends Fields>(initial: F) {
  const [form, setForm] = useState(initial);
  const update = (name: keyof F, value: string): void => setForm({ ...form, [name]: value });
  return {
    form,
    setForm,
    input: (name: keyof F) => ({ value: form[name], onInput: (e: { currentTarget: HTMLInputElement }) => update(name, e.currentTarget.value) }),
    select: (name: keyof F) => ({ value: form[name], onChange: (e: { currentTarget: HTMLSelectElement }) => update(name, e.currentTarget.value) }),
  };
}
