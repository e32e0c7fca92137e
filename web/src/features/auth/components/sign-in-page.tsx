import { Box, Tab, Tabs } from '@mui/material';
import { useState } from 'react';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { Loading } from '@/components/loading';
import { useSetup } from '@/lib/api/auth/get-setup';
import { useSession } from '@/lib/auth/session';
import { paths } from '@/lib/paths';
import { AuthCard } from './auth-card';
import { FirstRunForm } from './first-run-form';
import { KeySignInForm } from './key-sign-in-form';
import { PasswordSignInForm } from './password-sign-in-form';

type Method = 'account' | 'key';

/**
 * E-mail + password first, an API key on the second tab (`?method=key` opens it). While no account exists
 * the first tab is the first-run screen that makes the first administrator with the master key.
 */
export function SignInPage() {
  const { me } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [search] = useSearchParams();
  const setup = useSetup();
  const from = (location.state as { from?: string } | null)?.from ?? paths.home();
  // The tab lives in the page (a link may open the key tab with `?method=key`); the URL stays /sign-in.
  const [method, setMethod] = useState<Method>(search.get('method') === 'key' ? 'key' : 'account');
  const firstRun = setup.data?.has_accounts === false;

  if (me) return <Navigate to={from} replace />;

  const done = () => navigate(from, { replace: true });
  return (
    <AuthCard title="Sign in to ICMP" documentTitle="Sign in">
      <Tabs
        value={method}
        onChange={(_, v: Method) => setMethod(v)}
        variant="fullWidth"
        sx={{ mb: 2, borderBottom: 1, borderColor: 'divider' }}
        aria-label="How to sign in"
      >
        <Tab
          value="account"
          label={firstRun ? 'First run' : 'E-mail'}
          id="tab-account"
          aria-controls="panel-account"
        />
        <Tab value="key" label="API key" id="tab-key" aria-controls="panel-key" />
      </Tabs>
      <Box role="tabpanel" id={`panel-${method}`}>
        {method === 'key' ? (
          <KeySignInForm onSignedIn={done} />
        ) : setup.isLoading ? (
          <Loading label="Checking accounts" />
        ) : firstRun ? (
          <FirstRunForm onSignedIn={done} />
        ) : (
          <PasswordSignInForm onSignedIn={done} />
        )}
      </Box>
    </AuthCard>
  );
}
