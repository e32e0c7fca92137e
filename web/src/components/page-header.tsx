import { Box, Stack, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { PageHeading } from './page-heading';

/**
 * The top of every dashboard page: its `<h1>` (which also names the page in `document.title` and
 * takes the focus after a navigation — see `PageHeading`), a subtitle and the page's actions.
 */
export function PageHeader({
  title,
  documentTitle,
  business,
  subtitle,
  actions,
}: {
  title: string;
  /** The page's name in `document.title`, when the heading alone would not say what page it is. */
  documentTitle?: string;
  /** False for a page that is not about the business on screen. */
  business?: boolean;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <Stack
      direction={{ xs: 'column', sm: 'row' }}
      spacing={1}
      sx={{ mb: 2, alignItems: { xs: 'stretch', sm: 'center' }, justifyContent: 'space-between' }}
    >
      <Box sx={{ minWidth: 0 }}>
        <PageHeading documentTitle={documentTitle} business={business}>
          {title}
        </PageHeading>
        {subtitle && (
          <Typography variant="body2" color="text.secondary" component="div" sx={{ mt: 0.5 }}>
            {subtitle}
          </Typography>
        )}
      </Box>
      {actions && (
        <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', gap: 1 }}>
          {actions}
        </Stack>
      )}
    </Stack>
  );
}
