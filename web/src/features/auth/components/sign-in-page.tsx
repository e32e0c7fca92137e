import LockOutlinedIcon from '@mui/icons-material/LockOutlined';
import {
  Avatar,
  Box,
  Button,
  CircularProgress,
  Container,
  Paper,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { type FormEvent, useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { ErrorAlert } from '@/components/error-alert';
import { ApiError, fieldErrorsOf } from '@/lib/api/errors';
import { useSession } from '@/lib/auth/session';
import { paths } from '@/lib/paths';

export function SignInPage() {
  const { me, signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [businessId, setBusinessId] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? paths.home();

  if (me) return <Navigate to={from} replace />;

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
      navigate(from, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  }

  const fe = fieldErrorsOf(error);
  const wrongKey = error instanceof ApiError && error.status === 401;
  return (
    <Container maxWidth="xs" sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center' }}>
      <Paper sx={{ p: { xs: 3, sm: 4 }, width: '100%' }}>
        <Stack spacing={1} sx={{ alignItems: 'center', mb: 2 }}>
          <Avatar sx={{ bgcolor: 'primary.main' }}>
            <LockOutlinedIcon />
          </Avatar>
          <Typography variant="h1" component="h1">
            Sign in to ICMP
          </Typography>
          <Typography variant="body2" color="text.secondary" align="center">
            Use your business id and its API key, or the master key alone.
          </Typography>
        </Stack>
        <Box component="form" onSubmit={submit} noValidate>
          <Stack spacing={2}>
            <TextField
              label="Business ID"
              name="business_id"
              value={businessId}
              onChange={(e) => setBusinessId(e.target.value)}
              error={!!fe.business_id}
              helperText={fe.business_id ?? 'Leave empty when you sign in with the master key.'}
              autoComplete="username"
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
              autoComplete="current-password"
              required
              fullWidth
              size="medium"
            />
            <ErrorAlert error={error} />
            <Button
              type="submit"
              variant="contained"
              size="large"
              disabled={pending}
              startIcon={pending ? <CircularProgress size={18} color="inherit" /> : undefined}
            >
              Sign in
            </Button>
            <Typography variant="caption" color="text.secondary">
              Your key is kept only in a secure HttpOnly cookie for 24 hours; it is never stored by this page.
            </Typography>
          </Stack>
        </Box>
      </Paper>
    </Container>
  );
}
