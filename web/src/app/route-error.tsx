import { Alert, Box, Button } from '@mui/material';
import { isRouteErrorResponse, Link as RouterLink, useRouteError } from 'react-router-dom';
import { PageHeader } from '@/components/page-header';
import { errorMessage } from '@/lib/api/errors';
import { usePageTitle } from '@/lib/page-title';
import { paths } from '@/lib/paths';

export function RouteError() {
  const error = useRouteError();
  usePageTitle('Error', { business: false });
  const chunkFailed =
    error instanceof Error && /dynamically imported module|Importing a module script/i.test(error.message);
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : chunkFailed
      ? 'A new version of the app was deployed. Reload the page.'
      : errorMessage(error);
  return (
    <Box sx={{ p: 3 }}>
      <Alert
        severity="error"
        action={
          chunkFailed ? (
            <Button color="inherit" onClick={() => window.location.reload()}>
              Reload
            </Button>
          ) : (
            <Button color="inherit" component={RouterLink} to={paths.home()}>
              Home
            </Button>
          )
        }
      >
        {message}
      </Alert>
    </Box>
  );
}

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <Alert severity="info">
        This page does not exist. <RouterLink to={paths.home()}>Go to the dashboard</RouterLink>.
      </Alert>
    </>
  );
}
