/** Confirmations live with the design system's Dialog (ui/Dialog.tsx); this name is kept for the pages that import it. */
export { closing, useConfirm, type Confirmation } from './Dialog';
