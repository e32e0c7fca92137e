import { Box, Stack, TextField, Typography } from '@mui/material';
import { type FormEvent, useState } from 'react';
import { ErrorAlert } from '@/components/error-alert';
import { ApiError, fieldErrorsOf } from '@/lib/api/errors';
import { useSession } from '@/lib/auth/session';
import { SubmitButton } from './submit-button';

/** The business id + business key, or the master key alone. */
export function KeySignInForm({ onSignedIn }: { onSignedIn: () => void }) {
  const { signIn } = useSession();
  const [businessId, setBusinessId] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!apiKey.trim()) {
      setError(
        new ApiError(400, 'VALIDATION_ERROR', 'Enter an API key.', { field_errors: { api_key: 'Required' } }),
      );
      return;
    }
    setPending(true);
    setError(null);
    try {
      await signIn({ businessId, apiKey: apiKey.trim() });
      setApiKey('');
      onSignedIn();
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  }

  const fe = fieldErrorsOf(error);
  const wrongKey = error instanceof ApiError && error.status === 401;
  return (
    <Box component="form" onSubmit={submit} noValidate aria-label="Key sign-in">
      <Stack spacing={2}>
        <Typography variant="body2" color="text.secondary">
          Use your business id and its API key, or the master key alone.
        </Typography>
        <TextField
          label="Business ID"
          name="business_id"
          value={businessId}
          onChange={(e) => setBusinessId(e.target.value)}
          error={!!fe.business_id}
          helperText={fe.business_id ?? 'Leave empty when you sign in with the master key.'}
          autoComplete="off"
          fullWidth
          size="medium"
        />
        <TextField
          label="API key"
          name="api_key"
          type="password"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          error={!!fe.api_key || wrongKey}
          helperText={fe.api_key ?? (wrongKey ? 'This key was not accepted.' : undefined)}
          autoComplete="off"
          required
          fullWidth
          size="medium"
        />
        <ErrorAlert error={error} />
        <SubmitButton pending={pending}>Sign in</SubmitButton>
        <Typography variant="caption" color="text.secondary">
          The key is sent once; the server answers with a session kept in a secure HttpOnly cookie. This page
          stores nothing.
        </Typography>
      </Stack>
    </Box>
  );
}
