import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { useSession } from '@/lib/auth/session';
import { paths } from '@/lib/paths';

export function RequireAuth() {
  const { me, isLoading } = useSession();
  const location = useLocation();
  if (isLoading) return <Loading label="Checking sign-in" />;
  if (me === undefined) return <ErrorAlert error={new Error('Cannot reach the server.')} />;
  if (!me)
    return <Navigate to={paths.signIn()} replace state={{ from: location.pathname + location.search }} />;
  return <Outlet />;
}

export function RequireAdmin() {
  const { isAdmin } = useSession();
  if (!isAdmin) return <Navigate to={paths.home()} replace />;
  return <Outlet />;
}
