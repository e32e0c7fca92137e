import { Box, Button, CircularProgress, Paper, Stack, TextField, Typography } from '@mui/material';
import { type FormEvent, useState } from 'react';
import { ErrorAlert } from '@/components/error-alert';
import { NewPasswordFields } from '@/components/new-password-fields';
import { useChangePassword } from '@/lib/api/auth/change-password';
import { ApiError, fieldErrorsOf } from '@/lib/api/errors';
import { newPasswordErrors } from '@/lib/auth/passwords';

export function PasswordForm() {
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [localError, setLocalError] = useState<ApiError | null>(null);

  function submit(e: FormEvent) {
    e.preventDefault();
    const fe = newPasswordErrors(next, repeat);
    if (!current) fe.current_password = 'Required';
    if (Object.keys(fe).length) {
      setLocalError(new ApiError(400, 'VALIDATION_ERROR', 'Check the fields below.', { field_errors: fe }));
      return;
    }
    setLocalError(null);
    change.mutate(
      { current_password: current, new_password: next },
      {
        onSuccess: () => {
          setCurrent('');
          setNext('');
          setRepeat('');
        },
      },
    );
  }

  const error = localError ?? change.error;
  const fe = fieldErrorsOf(error);
  const wrongCurrent = change.error instanceof ApiError && change.error.status === 401;
  return (
    <Paper sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h2" component="h2" gutterBottom>
        Password
      </Typography>
      <Box component="form" onSubmit={submit} noValidate aria-label="Change password" sx={{ maxWidth: 420 }}>
        <Stack spacing={2}>
          <TextField
            label="Current password"
            name="current_password"
            type="password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            error={!!fe.current_password || wrongCurrent}
            helperText={fe.current_password ?? (wrongCurrent ? 'Not your current password.' : undefined)}
            autoComplete="current-password"
            fullWidth
          />
          <NewPasswordFields
            password={next}
            repeat={repeat}
            onPassword={setNext}
            onRepeat={setRepeat}
            fieldErrors={fe}
          />
          <ErrorAlert error={error} />
          {change.isSuccess && (
            <Typography color="success.main" role="status">
              Password changed. Your other sessions were signed out.
            </Typography>
          )}
          <Button
            type="submit"
            variant="contained"
            disabled={change.isPending}
            startIcon={change.isPending ? <CircularProgress size={16} color="inherit" /> : undefined}
            sx={{ alignSelf: 'flex-start' }}
          >
            Change password
          </Button>
        </Stack>
      </Box>
    </Paper>
  );
}
