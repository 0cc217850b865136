import { useEffect, useRef, type ReactNode } from 'react';

/**
 * The page's h1: sets the document title and takes focus when the page opens (screen readers hear
 * the new page), unless the person has already put the focus somewhere (a menu opened while the
 * page's code loaded): the link followed is gone by then, so the focus is on the body.
 */
export function PageHeading({ title, children }: { title: string; children?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Alliance`;
    const at = document.activeElement;
    if (!at || at === document.body || at.tagName === 'H1') ref.current?.focus();
  }, [title]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children ?? title}
    </h1>
  );
}
