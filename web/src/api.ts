/**
 * The API client: every call carries the signed-in token (kept in sessionStorage only, so it
 * goes when the tab closes) and every failure becomes an ApiError with the server's message.
 */
const TOKEN_KEY = 'alliance.token';

/** Fired when the server refuses the stored token (revoked or expired): the app signs out. */
export const UNAUTHORIZED_EVENT = 'alliance:unauthorized';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  signOut(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

export interface CallOptions {
  method?: string;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as multipart/form-data. */
  form?: FormData;
  /** A token to try instead of the stored one (sign-in). */
  token?: string;
}

export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const token = options.token ?? session.token();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, { method: options.method ?? (body ? 'POST' : 'GET'), headers, body });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `The server could not be reached (${(err as Error).message}).`);
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const e = (data ?? {}) as { code?: string; message?: string };
    const error = new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? `The server answered ${res.status} ${res.statusText}.`);
    if (res.status === 401 && options.token === undefined) window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT, { detail: error.message }));
    throw error;
  }
  return data as T;
}

/** A binary resource (review media): the bytes as a Blob, fetched with the token. */
export async function apiBlob(path: string): Promise<Blob> {
  const token = session.token();
  const res = await fetch(`/api/v1${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const e = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? `The server answered ${res.status}.`);
  }
  return res.blob();
}

/** Hands a fetched file to the browser as a download. */
export function saveBlob(blob: Blob, filename: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export const bankPath = (name: string) => `/banks/${encodeURIComponent(name)}`;
