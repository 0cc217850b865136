import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { problemText, type Problem } from '../problems';

interface Toast {
  id: number;
  kind: 'success' | 'error';
  text: string;
}

export interface Toaster {
  /** Says an action worked ("Bank HOTLINE created."), politely. */
  success(text: string): void;
  /** Says an action failed, at once (assertively); a Problem is its sentence with its code. */
  error(problem: Problem | string): void;
}

const ToastContext = createContext<Toaster>({ success: () => undefined, error: () => undefined });

/** How long a toast stays (it can be dismissed sooner; one being hovered or focused stays). */
const SHOWN_MS = 8000;

/**
 * Toasts: short messages after an action, in the corner, outside the page's main content. Two
 * live regions announce them — polite for successes, assertive for failures — and they are not
 * status or alert roles, so a page's own status line stays the one a form reports in.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), []);
  const push = useCallback((kind: Toast['kind'], text: string) => {
    const id = next.current++;
    setToasts((ts) => [...ts.slice(-4), { id, kind, text }]);
  }, []);
  const toaster = useMemo<Toaster>(
    () => ({
      success: (text) => push('success', text),
      error: (p) => push('error', typeof p === 'string' ? p : `${problemText(p)}${p.code ? ` (${p.code})` : ''}`),
    }),
    [push],
  );
  return (
    <ToastContext.Provider value={toaster}>
      {children}
      <section className="toasts" aria-label="Notifications">
        <div aria-live="polite" aria-relevant="additions">
          {toasts
            .filter((t) => t.kind === 'success')
            .map((t) => (
              <ToastItem key={t.id} toast={t} onDismiss={dismiss} />
            ))}
        </div>
        <div aria-live="assertive" aria-relevant="additions">
          {toasts
            .filter((t) => t.kind === 'error')
            .map((t) => (
              <ToastItem key={t.id} toast={t} onDismiss={dismiss} />
            ))}
        </div>
      </section>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (held) return;
    const t = setTimeout(() => onDismiss(toast.id), SHOWN_MS);
    return () => clearTimeout(t);
  }, [held, toast.id, onDismiss]);
  return (
    <div
      className={`toast toast-${toast.kind}`}
      data-toast={toast.kind}
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      <p>{toast.text}</p>
      <button type="button" className="btn btn-secondary toast-close" aria-label="Dismiss notification" onClick={() => onDismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}

/** The toaster of the page (ToastProvider wraps the app). */
export const useToast = (): Toaster => useContext(ToastContext);
