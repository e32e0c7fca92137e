import { Box, Link, Stack, TextField } from '@mui/material';
import { type FormEvent, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { ErrorAlert } from '@/components/error-alert';
import { ApiError, fieldErrorsOf } from '@/lib/api/errors';
import { useSession } from '@/lib/auth/session';
import { paths } from '@/lib/paths';
import { SubmitButton } from './submit-button';

export function PasswordSignInForm({ onSignedIn }: { onSignedIn: () => void }) {
  const { signInWithPassword } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const missing: Record<string, string> = {};
    if (!email.trim()) missing.email = 'Required';
    if (!password) missing.password = 'Required';
    if (Object.keys(missing).length) {
      setError(
        new ApiError(400, 'VALIDATION_ERROR', 'Enter your e-mail and password.', { field_errors: missing }),
      );
      return;
    }
    setPending(true);
    setError(null);
    try {
      await signInWithPassword({ email: email.trim(), password });
      setPassword('');
      onSignedIn();
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  }

  const fe = fieldErrorsOf(error);
  const wrong = error instanceof ApiError && error.status === 401;
  return (
    <Box component="form" onSubmit={submit} noValidate aria-label="Account sign-in">
      <Stack spacing={2}>
        <TextField
          label="E-mail"
          name="email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={!!fe.email || wrong}
          helperText={fe.email}
          autoComplete="username"
          required
          fullWidth
          size="medium"
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={!!fe.password || wrong}
          helperText={fe.password ?? (wrong ? 'The e-mail or password is not right.' : undefined)}
          autoComplete="current-password"
          required
          fullWidth
          size="medium"
        />
        <ErrorAlert error={error} />
        <SubmitButton pending={pending}>Sign in</SubmitButton>
        <Link component={RouterLink} to={paths.forgotPassword()} variant="body2" sx={{ alignSelf: 'center' }}>
          Forgot your password?
        </Link>
      </Stack>
    </Box>
  );
}
