import { Alert, Box, Button, Link, Stack, TextField, Typography } from '@mui/material';
import { type FormEvent, useState } from 'react';
import { Link as RouterLink, useNavigate, useParams } from 'react-router-dom';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { ApiError, fieldErrorsOf } from '@/lib/api/errors';
import { acceptInvitation } from '@/lib/api/invitations/accept-invitation';
import { useInvitation } from '@/lib/api/invitations/get-invitation';
import type { Invitation } from '@/lib/api/models';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/passwords';
import { ROLES, roleLabel } from '@/lib/auth/roles';
import { useSession } from '@/lib/auth/session';
import { formatDateTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import { AuthCard } from './auth-card';
import { SubmitButton } from './submit-button';

/**
 * `{PUBLIC_URL}/invitations/{token}`: who invites whom to what. A signed-in account accepts with its
 * session; anyone else makes the invited e-mail's account with a name and a password.
 */
export function InvitationPage() {
  const { token = '' } = useParams();
  const invitation = useInvitation(token);
  return (
    <AuthCard title="Join a business on ICMP" documentTitle="Invitation">
      {invitation.isLoading ? (
        <Loading label="Loading the invitation" />
      ) : invitation.error ? (
        <Stack spacing={2}>
          <ErrorAlert
            error={
              invitation.error instanceof ApiError && invitation.error.status === 404
                ? new Error('This invitation does not exist, has expired or was already used.')
                : invitation.error
            }
          />
          <Link component={RouterLink} to={paths.signIn()} sx={{ alignSelf: 'center' }}>
            Go to sign-in
          </Link>
        </Stack>
      ) : invitation.data ? (
        <InvitationBody token={token} invitation={invitation.data} />
      ) : null}
    </AuthCard>
  );
}

function InvitationBody({ token, invitation }: { token: string; invitation: Invitation }) {
  const { me, user, adopt, signOut, selectBusiness } = useSession();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  async function accept(body?: { name: string; password: string }) {
    setPending(true);
    setError(null);
    try {
      const who = await acceptInvitation(token, body);
      adopt(who);
      selectBusiness(invitation.business_id, invitation.business_name);
      navigate(paths.home(), { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const missing: Record<string, string> = {};
    if (!name.trim()) missing.name = 'Required';
    if (password.length < MIN_PASSWORD_LENGTH)
      missing.password = `At least ${MIN_PASSWORD_LENGTH} characters`;
    if (Object.keys(missing).length) {
      setError(
        new ApiError(400, 'VALIDATION_ERROR', 'Fill in your name and a password.', { field_errors: missing }),
      );
      return;
    }
    void accept({ name: name.trim(), password });
  }

  const fe = fieldErrorsOf(error);
  const signedInAs = user?.email ?? null;
  const sameAccount = !!signedInAs && signedInAs.toLowerCase() === invitation.email.toLowerCase();
  // The server answers 409 when the invited e-mail already has an account: it must sign in first.
  const hasAccount = error instanceof ApiError && error.status === 409;
  const signInToAccept = (
    <Button
      component={RouterLink}
      to={paths.signIn()}
      state={{ from: paths.invitation(token) }}
      variant={hasAccount ? 'contained' : 'text'}
    >
      {hasAccount ? 'Sign in to accept' : 'I already have an account: sign in to accept'}
    </Button>
  );
  return (
    <Stack spacing={2}>
      <Box>
        <Typography>
          {invitation.invited_by ? <strong>{invitation.invited_by}</strong> : 'You are'}{' '}
          {invitation.invited_by ? 'invites ' : 'invited: '}
          <strong>{invitation.email}</strong> to <strong>{invitation.business_name}</strong> as{' '}
          <strong>{roleLabel(invitation.role).toLowerCase()}</strong>.
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {ROLES.find((r) => r.role === invitation.role)?.description} The link works once, until{' '}
          {formatDateTime(invitation.expires_at)}.
        </Typography>
      </Box>
      {signedInAs ? (
        <Stack spacing={1.5}>
          {!sameAccount && (
            <Alert severity="warning">
              You are signed in as {signedInAs}, not {invitation.email}. Accepting adds the business to the
              account you are signed in with.
            </Alert>
          )}
          <ErrorAlert error={error} />
          <Button variant="contained" size="large" disabled={pending} onClick={() => void accept()}>
            Accept as {signedInAs}
          </Button>
          <Button onClick={() => void signOut()} disabled={pending}>
            Sign out to use another account
          </Button>
        </Stack>
      ) : (
        <Box component="form" onSubmit={submit} noValidate aria-label="Create your account">
          <Stack spacing={2}>
            {me && (
              <Alert severity="info">
                You are signed in with an API key; accepting creates an account for {invitation.email} and
                signs you in with it.
              </Alert>
            )}
            <TextField label="E-mail" value={invitation.email} disabled fullWidth size="medium" />
            <TextField
              label="Your name"
              name="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              error={!!fe.name}
              helperText={fe.name}
              autoComplete="name"
              required
              fullWidth
              size="medium"
            />
            <TextField
              label="Choose a password"
              name="password"
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={!!fe.password}
              helperText={fe.password ?? `At least ${MIN_PASSWORD_LENGTH} characters.`}
              autoComplete="new-password"
              required
              fullWidth
              size="medium"
            />
            <ErrorAlert error={error} />
            <SubmitButton pending={pending}>Accept and create account</SubmitButton>
            {signInToAccept}
          </Stack>
        </Box>
      )}
    </Stack>
  );
}
