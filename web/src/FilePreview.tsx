import { SafeImage } from './SafeImage';
import { useObjectUrl } from './useObjectUrl';

/** The local preview of a chosen file: images only, always veiled at first. */
export function FilePreview({ file }: { file: File | null }) {
  const url = useObjectUrl(file);
  if (!file) return null;
  if (!file.type.startsWith('image/')) return <p className="muted">{file.name}: no preview for this kind of file.</p>;
  if (!url) return null;
  return <SafeImage key={url} src={url} alt={`Preview of ${file.name}`} />;
}
