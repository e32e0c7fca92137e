import { Alert, Box, Stack, TextField, Typography } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ErrorAlert } from '@/components/error-alert';
import { createAccount } from '@/lib/api/auth/create-account';
import { loginWithKey } from '@/lib/api/auth/login';
import { ApiError, fieldErrorsOf } from '@/lib/api/errors';
import { qk } from '@/lib/api/query-keys';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/passwords';
import { useSession } from '@/lib/auth/session';
import { monoFont } from '@/theme/theme';
import { SubmitButton } from './submit-button';

const EMPTY = { masterKey: '', name: '', email: '', password: '' };

/**
 * Shown while no team account exists: the master key proves this is the operator, and makes the
 * first platform-admin account. The key is sent once, to sign in; the account is then used.
 */
export function FirstRunForm({ onSignedIn }: { onSignedIn: () => void }) {
  const { signInWithPassword } = useSession();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(EMPTY);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const set = (k: keyof typeof EMPTY) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [k]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const missing: Record<string, string> = {};
    if (!values.masterKey.trim()) missing.master_key = 'Required';
    if (!values.name.trim()) missing.name = 'Required';
    if (!values.email.trim()) missing.email = 'Required';
    if (values.password.length < MIN_PASSWORD_LENGTH)
      missing.password = `At least ${MIN_PASSWORD_LENGTH} characters`;
    if (Object.keys(missing).length) {
      setError(new ApiError(400, 'VALIDATION_ERROR', 'Fill in every field.', { field_errors: missing }));
      return;
    }
    setPending(true);
    setError(null);
    try {
      let who: Awaited<ReturnType<typeof loginWithKey>>;
      try {
        who = await loginWithKey(values.masterKey.trim());
      } catch (err) {
        if (err instanceof ApiError && err.status === 401)
          throw new ApiError(401, err.code, 'The master key was not accepted.', {
            field_errors: { master_key: 'Not the master key' },
          });
        throw err;
      }
      if (who.role !== 'admin')
        throw new ApiError(403, 'AUTHORIZATION_ERROR', 'That is a business key, not the master key.', {
          field_errors: { master_key: 'Not the master key' },
        });
      await createAccount({
        email: values.email.trim(),
        password: values.password,
        name: values.name.trim(),
        is_admin: true,
      });
      await signInWithPassword({ email: values.email.trim(), password: values.password });
      queryClient.setQueryData(qk.setup(), { has_accounts: true });
      setValues(EMPTY);
      onSignedIn();
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  }

  const fe = fieldErrorsOf(error);
  return (
    <Box component="form" onSubmit={submit} noValidate aria-label="Create the first administrator">
      <Stack spacing={2}>
        <Typography variant="h2" component="h2">
          Welcome: nobody has an account yet
        </Typography>
        <Alert severity="info" icon={false}>
          <Typography variant="body2" component="div">
            The first account is made with the <strong>master key</strong>: the server's{' '}
            <Box component="code" sx={{ fontFamily: monoFont }}>
              ICMP_API_KEY
            </Box>
            . If you did not set one, the server generated it on its first start, printed it once in its log
            and keeps it in its data directory (
            <Box component="code" sx={{ fontFamily: monoFont }}>
              DATA_DIR
            </Box>
            ). The key can do everything, so keep it for emergencies: once your account exists, sign in with
            your e-mail and invite your team. (On the server,{' '}
            <Box component="code" sx={{ fontFamily: monoFont }}>
              npm run admin:create
            </Box>{' '}
            does the same.)
          </Typography>
        </Alert>
        <TextField
          label="Master key"
          name="master_key"
          type="password"
          value={values.masterKey}
          onChange={set('masterKey')}
          error={!!fe.master_key}
          helperText={fe.master_key}
          autoComplete="off"
          required
          fullWidth
        />
        <TextField
          label="Your name"
          name="name"
          value={values.name}
          onChange={set('name')}
          error={!!fe.name}
          helperText={fe.name}
          autoComplete="name"
          required
          fullWidth
        />
        <TextField
          label="E-mail"
          name="email"
          type="email"
          value={values.email}
          onChange={set('email')}
          error={!!fe.email}
          helperText={fe.email}
          autoComplete="username"
          required
          fullWidth
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          value={values.password}
          onChange={set('password')}
          error={!!fe.password}
          helperText={fe.password ?? `At least ${MIN_PASSWORD_LENGTH} characters.`}
          autoComplete="new-password"
          required
          fullWidth
        />
        <ErrorAlert error={error} />
        <SubmitButton pending={pending}>Create administrator account</SubmitButton>
      </Stack>
    </Box>
  );
}
