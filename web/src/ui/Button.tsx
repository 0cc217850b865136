import type { ButtonHTMLAttributes } from 'react';

/**
 * How much a button weighs: `primary` — the one action a form or panel exists for (filled);
 * `secondary` — everything else (outlined; the default); `danger` — destroys or sends something
 * that cannot be taken back (red; such an action asks through a Dialog first).
 */
export type ButtonWeight = 'primary' | 'secondary' | 'danger';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  weight?: ButtonWeight;
  /** While true the button is disabled and shows `busyLabel` (its work is under way). */
  busy?: boolean;
  busyLabel?: string;
}

/** The one button of the UI: a type="button" unless told otherwise, weighted, and busy while its action runs. */
export function Button({ weight = 'secondary', busy = false, busyLabel, className, type = 'button', disabled, children, ...rest }: ButtonProps) {
  return (
    <button
      {...rest}
      type={type}
      className={['btn', `btn-${weight}`, className].filter(Boolean).join(' ')}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
    >
      {busy && busyLabel ? busyLabel : children}
    </button>
  );
}
