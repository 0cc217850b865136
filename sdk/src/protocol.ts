/** What the page and the hashing worker say to each other. */
export interface HashRequest {
  id: number;
  /** The image file's bytes: they stay in the browser. */
  bytes: ArrayBuffer;
  maxPixels: number;
}

export interface ImageHashes {
  /** PDQ, 64 lowercase hex digits, reference bit order. */
  pdq: string;
  /** PDQ quality, 0–100: below 50 the hash is not used to match (reference guidance). */
  quality: number;
  /** SHA-256 of the file's bytes, lowercase hex. */
  sha256: string;
  width: number;
  height: number;
}

export type HashResponse = { id: number; ok: true; hashes: ImageHashes } | { id: number; ok: false; error: string };
