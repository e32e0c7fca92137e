import { Paper, Stack, Typography } from '@mui/material';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { useSession } from '@/lib/auth/session';
import { PasswordForm } from './password-form';
import { SessionList } from './session-list';

/** The signed-in account: who it is, its password, the devices signed in with it. */
export function AccountPage() {
  const { user, memberships } = useSession();
  if (!user)
    return (
      <>
        <PageHeader title="Account" business={false} />
        <EmptyState
          title="Signed in with an API key"
          description="Keys have no password or sessions to manage here. Sign in with an e-mail account to use this page."
        />
      </>
    );
  return (
    <>
      <PageHeader
        title="Account"
        business={false}
        subtitle="Your password and the devices signed in with your account."
      />
      <Stack spacing={2}>
        <Paper sx={{ p: { xs: 2, sm: 3 } }}>
          <Typography variant="h2" component="h2" gutterBottom>
            {user.name}
          </Typography>
          <Typography color="text.secondary" sx={{ wordBreak: 'break-all' }}>
            {user.email}
            {user.is_admin ? ' · platform admin' : ''}
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
            {memberships.length === 0
              ? 'Not a member of any business yet.'
              : memberships.map((m) => `${m.business_name} (${m.role})`).join(' · ')}
          </Typography>
        </Paper>
        <PasswordForm />
        <SessionList />
      </Stack>
    </>
  );
}
