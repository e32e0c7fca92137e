import { Alert, Box, Button, Link, Stack } from '@mui/material';
import { type FormEvent, useState } from 'react';
import { Link as RouterLink, useParams } from 'react-router-dom';
import { ErrorAlert } from '@/components/error-alert';
import { NewPasswordFields } from '@/components/new-password-fields';
import { useConfirmPasswordReset } from '@/lib/api/auth/confirm-password-reset';
import { ApiError, fieldErrorsOf } from '@/lib/api/errors';
import { newPasswordErrors } from '@/lib/auth/passwords';
import { paths } from '@/lib/paths';
import { AuthCard } from './auth-card';
import { SubmitButton } from './submit-button';

/** `{PUBLIC_URL}/reset-password/{token}` from the e-mail: a new password, then sign in with it. */
export function ResetPasswordPage() {
  const { token = '' } = useParams();
  const confirm = useConfirmPasswordReset();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [localError, setLocalError] = useState<ApiError | null>(null);

  function submit(e: FormEvent) {
    e.preventDefault();
    const fieldErrors = newPasswordErrors(password, repeat);
    if (Object.keys(fieldErrors).length) {
      setLocalError(
        new ApiError(400, 'VALIDATION_ERROR', 'Check the new password.', { field_errors: fieldErrors }),
      );
      return;
    }
    setLocalError(null);
    confirm.mutate({ token, new_password: password });
  }

  const error = localError ?? confirm.error;
  const fe = fieldErrorsOf(error);
  const deadToken =
    confirm.error instanceof ApiError && !fe.new_password && [400, 404, 410].includes(confirm.error.status);
  return (
    <AuthCard title="Choose a new password">
      {confirm.isSuccess ? (
        <Stack spacing={2}>
          <Alert severity="success" role="status">
            Your password is changed and your other sessions are signed out.
          </Alert>
          <Button component={RouterLink} to={paths.signIn()} variant="contained">
            Sign in
          </Button>
        </Stack>
      ) : (
        <Box component="form" onSubmit={submit} noValidate aria-label="Set a new password">
          <Stack spacing={2}>
            <NewPasswordFields
              password={password}
              repeat={repeat}
              onPassword={setPassword}
              onRepeat={setRepeat}
              fieldErrors={fe}
            />
            <ErrorAlert error={error} />
            {deadToken && (
              <Link component={RouterLink} to={paths.forgotPassword()} variant="body2">
                This link may have expired or been used: ask for a new one.
              </Link>
            )}
            <SubmitButton pending={confirm.isPending}>Set new password</SubmitButton>
          </Stack>
        </Box>
      )}
    </AuthCard>
  );
}
