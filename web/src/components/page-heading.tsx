import { Typography, type TypographyProps } from '@mui/material';
import { useRef } from 'react';
import { usePageTitle } from '@/lib/page-title';
import { useFocusOnNavigation } from '@/lib/route-focus';

/**
 * A page's `<h1>`: names the page in `document.title` (`<Page> · <Business> · ICMP`, see
 * `usePageTitle`) and takes the focus after a navigation (`useFocusOnNavigation`), so every page
 * is announced and keyboard users start at its top. `PageHeader` and `AuthCard` render it; a page
 * with its own header layout (e.g. the conversations feature) renders `<PageHeading>` instead of a
 * plain `<Typography variant="h1">`, or calls both hooks on its own `<h1 tabIndex={-1}>`.
 *
 * For the live inbox (issue 11): `documentTitle` names the conversation (e.g. `Conversation with
 * Ana`); where picking a conversation in a list beside it changes the path, pass
 * `focusOnNavigation={false}` so the focus stays in the list; the transcript is a
 * `role="log"` with an accessible name (`aria-label="Transcript"`), each message saying who speaks.
 */
export function PageHeading({
  children,
  documentTitle,
  business = true,
  focusOnNavigation = true,
  align,
  sx,
}: {
  children: string;
  /** The page's name in `document.title` when it differs from the heading. */
  documentTitle?: string;
  /** Whether the business on screen is part of `document.title`. */
  business?: boolean;
  focusOnNavigation?: boolean;
  align?: TypographyProps['align'];
  sx?: TypographyProps['sx'];
}) {
  const ref = useRef<HTMLHeadingElement>(null);
  usePageTitle(documentTitle ?? children, { business });
  useFocusOnNavigation(ref, focusOnNavigation);
  return (
    <Typography
      ref={ref}
      variant="h1"
      component="h1"
      tabIndex={-1}
      align={align}
      sx={[{ '&:focus': { outline: 'none' } }, ...(Array.isArray(sx) ? sx : [sx])]}
    >
      {children}
    </Typography>
  );
}
