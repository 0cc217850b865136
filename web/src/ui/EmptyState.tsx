import type { ReactNode } from 'react';

/** What a list or chart shows when it has nothing: a sentence saying so, and what to do about it (optional). */
export function EmptyState({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state" data-empty-state>
      <p>{children}</p>
      {action && <p className="empty-action">{action}</p>}
    </div>
  );
}
