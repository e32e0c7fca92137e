import { useEffect } from 'react';
import { useSession } from '@/lib/auth/session';

export const APP_NAME = 'ICMP';

/** `<Page> · <Business> · ICMP`, leaving out what is not there. */
export function formatDocumentTitle(page: string | null | undefined, business?: string | null): string {
  return [page?.trim(), business?.trim(), APP_NAME].filter(Boolean).join(' · ');
}

/**
 * Sets `document.title` to `<Page> · <Business> · ICMP` (the business on screen, from the session),
 * so every page, tab and history entry has a distinct name. `business: false` for pages that are
 * not about one business (sign-in, the admin's business list). `PageHeader` / `PageHeading` call it
 * for you; call it yourself only on a page without them.
 */
export function usePageTitle(page: string | null | undefined, options: { business?: boolean } = {}): void {
  const { businessName } = useSession();
  const title = formatDocumentTitle(page, options.business === false ? null : businessName);
  useEffect(() => {
    if (page) document.title = title;
  }, [page, title]);
}
