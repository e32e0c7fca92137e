import { Alert, Box, Link, Stack, TextField } from '@mui/material';
import { type FormEvent, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { ErrorAlert } from '@/components/error-alert';
import { useRequestPasswordReset } from '@/lib/api/auth/request-password-reset';
import { fieldErrorsOf } from '@/lib/api/errors';
import { paths } from '@/lib/paths';
import { AuthCard } from './auth-card';
import { SubmitButton } from './submit-button';

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const request = useRequestPasswordReset();

  function submit(e: FormEvent) {
    e.preventDefault();
    if (email.trim()) request.mutate(email.trim());
  }

  const fe = fieldErrorsOf(request.error);
  return (
    <AuthCard
      title="Forgot your password?"
      subtitle="We send a link to set a new one; it works once, for an hour."
    >
      {request.isSuccess ? (
        <Stack spacing={2}>
          <Alert severity="success" role="status">
            If an account uses {email.trim()}, a reset link is on its way. Check your inbox.
          </Alert>
          <Link component={RouterLink} to={paths.signIn()} sx={{ alignSelf: 'center' }}>
            Back to sign-in
          </Link>
        </Stack>
      ) : (
        <Box component="form" onSubmit={submit} noValidate aria-label="Request a password reset">
          <Stack spacing={2}>
            <TextField
              label="E-mail"
              name="email"
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={!!fe.email}
              helperText={fe.email}
              autoComplete="username"
              required
              fullWidth
              size="medium"
            />
            <ErrorAlert error={request.error} />
            <SubmitButton pending={request.isPending}>Send reset link</SubmitButton>
            <Link component={RouterLink} to={paths.signIn()} variant="body2" sx={{ alignSelf: 'center' }}>
              Back to sign-in
            </Link>
          </Stack>
        </Box>
      )}
    </AuthCard>
  );
}
