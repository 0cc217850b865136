import { PageHeading } from '../PageHeading';
import { HelpDirectorySection } from './HelpDirectorySection';
import { MessagesSection } from './MessagesSection';

/** Awareness (target 3): the messages the check API shows, and the help directory they point to. */
export function AwarenessPage() {
  return (
    <>
      <PageHeading title="Messages and help" />
      <p>
        Platforms check searches and uploads with <code>/api/v1/check</code> (or the browser SDK: see the <a href="/demo/">demo page</a>); this is what their
        users are shown.
      </p>
      <MessagesSection />
      <HelpDirectorySection />
    </>
  );
}
