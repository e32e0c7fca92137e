import LockOutlinedIcon from '@mui/icons-material/LockOutlined';
import { Avatar, Container, Paper, Stack, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { PageHeading } from '@/components/page-heading';

/** The frame of every page a visitor sees before signing in (fits a 390 px phone). */
export function AuthCard({
  title,
  documentTitle,
  subtitle,
  children,
}: {
  title: string;
  /** The page's name in `document.title` when it differs from the heading. */
  documentTitle?: string;
  subtitle?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Container
      maxWidth="sm"
      sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center', py: 3, px: { xs: 1.5, sm: 3 } }}
    >
      <Paper sx={{ p: { xs: 2, sm: 4 }, width: '100%', maxWidth: 480, mx: 'auto' }}>
        <Stack spacing={1} sx={{ alignItems: 'center', mb: 2 }}>
          <Avatar sx={{ bgcolor: 'primary.main' }}>
            <LockOutlinedIcon />
          </Avatar>
          <PageHeading documentTitle={documentTitle} business={false} align="center">
            {title}
          </PageHeading>
          {subtitle && (
            <Typography variant="body2" color="text.secondary" align="center" component="div">
              {subtitle}
            </Typography>
          )}
        </Stack>
        {children}
      </Paper>
    </Container>
  );
}
