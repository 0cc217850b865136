/** The design system (docs/architecture.md, "The web UI's design system"): every page builds from these. */
export { Button, type ButtonProps, type ButtonWeight } from './Button';
export { DataTable, Pager, type Column } from './DataTable';
export { closing, Dialog, useConfirm, type Confirmation } from './Dialog';
export { EmptyState } from './EmptyState';
export { Field, FieldProblem } from './Field';
export { Skeleton } from './Skeleton';
export { Tabs, type Tab } from './Tabs';
export { ToastProvider, useToast, type Toaster } from './Toasts';
export { useReason, type ReasonRequest } from './ReasonDialog';
