import { useId, useState } from 'react';
import { Button } from './ui/Button';

/**
 * Reviewer wellbeing: an image is shown blurred and in greyscale until the analyst chooses to
 * reveal it, and can be hidden again.
 */
export function SafeImage({
  src,
  alt,
  onReveal,
}: {
  src: string;
  alt: string;
  /** Called each time the analyst reveals the image (exposure counting). */ onReveal?: () => void;
}) {
  const [revealed, setRevealed] = useState(false);
  const stateId = useId();
  return (
    <figure className="safe-image">
      <div className="frame">
        <img src={src} alt={alt} className={revealed ? 'revealed' : 'veiled'} aria-describedby={stateId} />
      </div>
      <figcaption>
        <span id={stateId}>{revealed ? 'Shown as is.' : 'Blurred and greyscale.'}</span>{' '}
        <Button
          onClick={() => {
            if (!revealed) onReveal?.();
            setRevealed(!revealed);
          }}
          aria-pressed={revealed}
        >
          {revealed ? 'Hide' : 'Reveal'}
        </Button>
      </figcaption>
    </figure>
  );
}
