/**
 * The message component: the node's message and the help entries, as accessible HTML — a
 * labelled region announced to screen readers (role="alert" for blocks and warnings), headings,
 * a list of services with real links (tel:, sms:, mailto:, https:), the message's own language
 * marked (lang), and a visible note when the message is the English fall-back.
 * Builds DOM nodes with textContent only: nothing from the node is parsed as HTML.
 */
import { labelsFor, type Labels } from './labels.js';
import type { CheckAnswer, HelpEntry } from './types.js';

let counter = 0;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function href(type: string, value: string): string | null {
  const v = value.trim();
  if (type === 'phone') return `tel:${v.replace(/[^\d+]/g, '')}`;
  if (type === 'sms') return `sms:${v.replace(/[^\d+]/g, '')}`;
  if (type === 'email') return `mailto:${v}`;
  return /^https?:\/\//i.test(v) ? v : null;
}

function entry(h: HelpEntry, labels: Labels): HTMLLIElement {
  const li = el('li', { class: 'alliance-help-entry', 'data-kind': h.kind });
  li.append(el('span', { class: 'alliance-help-kind' }, labels.kinds[h.kind] ?? h.kind), el('strong', { class: 'alliance-help-name' }, h.name));
  if (h.fallback) li.append(el('span', { class: 'alliance-help-international' }, labels.international));
  if (h.hours) li.append(el('span', { class: 'alliance-help-hours' }, `${labels.hours}: ${h.hours}`));
  const links = el('span', { class: 'alliance-help-channels' });
  for (const c of h.channels) {
    const target = href(c.type, c.value);
    const label = `${labels.channels[c.type] ?? c.type}: ${c.value}`;
    if (target) {
      const a = el('a', { href: target, rel: 'noopener noreferrer' }, label);
      if (/^https?:/.test(target)) a.setAttribute('target', '_blank');
      links.append(a);
    } else links.append(el('span', {}, label));
  }
  li.append(links);
  return li;
}

export interface RenderOptions {
  /** The component's own words; by default in the requested language (English when unknown). */
  labels?: Partial<Labels>;
  /** Shows a close button that calls this. */
  onClose?: () => void;
}

/**
 * Renders an answer of the check API into `container` (replacing its content); renders nothing
 * when there is no message. Returns the panel element.
 * @example renderMessage(document.querySelector('#warning'), await client.checkText(query));
 */
export function renderMessage(container: HTMLElement, answer: Pick<CheckAnswer, 'message' | 'help'>, options: RenderOptions = {}): HTMLElement | null {
  container.replaceChildren();
  const m = answer.message;
  if (!m) return null;
  const labels = labelsFor(m.requested_language, options.labels);
  const id = `alliance-msg-${++counter}`;
  const panel = el('section', { class: `alliance-message alliance-${m.context}`, role: 'alert', 'aria-labelledby': `${id}-title`, 'data-context': m.context });
  const body = el('div', { lang: m.language, class: 'alliance-message-text' });
  body.append(el('h2', { id: `${id}-title`, class: 'alliance-message-title' }, m.title), el('p', { class: 'alliance-message-body' }, m.body));
  panel.append(body);
  if (m.fallback) panel.append(el('p', { class: 'alliance-message-fallback', lang: m.requested_language }, labels.notTranslated));
  if (answer.help.length) {
    const nav = el('nav', { 'aria-labelledby': `${id}-help`, class: 'alliance-help' });
    nav.append(el('h3', { id: `${id}-help` }, labels.help));
    const list = el('ul');
    for (const h of answer.help) list.append(entry(h, labels));
    nav.append(list);
    panel.append(nav);
  }
  if (options.onClose) {
    const close = el('button', { type: 'button', class: 'alliance-message-close' }, labels.close);
    close.addEventListener('click', options.onClose);
    panel.append(close);
  }
  container.append(panel);
  return panel;
}
