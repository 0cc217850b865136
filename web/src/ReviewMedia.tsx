import { problemText } from './problems';
import { apiBlob } from './api';
import { SafeImage } from './SafeImage';
import { useLoad } from './useLoad';
import { useObjectUrl } from './useObjectUrl';
import { Skeleton } from './ui/Skeleton';

/** The kept media of a review, fetched with the token and shown veiled; each reveal is counted. */
export function ReviewMedia({ id, type, onReveal }: { id: number; type: string | null; onReveal: () => void }) {
  const blob = useLoad(() => apiBlob(`/reviews/${id}/media`), [id]);
  const url = useObjectUrl(blob.data);
  if (blob.error) return <p className="muted">Media unavailable: {problemText(blob.error)}</p>;
  if (!type?.startsWith('image/')) return <p className="muted">Video or other media: no preview here.</p>;
  if (!url) return <Skeleton label="Loading media…" lines={4} />;
  return <SafeImage src={url} alt={`Media of review ${id}`} onReveal={onReveal} />;
}
