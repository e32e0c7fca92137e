import { Alert, AlertTitle, Button } from '@mui/material';
import { ApiError, errorMessage } from '@/lib/api/errors';

/** Shows a server error as a readable message; field errors are listed when no form shows them. */
export function ErrorAlert({
  error,
  title,
  onRetry,
  showFieldErrors = false,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
  showFieldErrors?: boolean;
}) {
  if (!error) return null;
  const fields = error instanceof ApiError ? Object.entries(error.fieldErrors) : [];
  return (
    <Alert
      severity="error"
      sx={{ my: 1 }}
      action={
        onRetry ? (
          <Button color="inherit" size="small" onClick={onRetry}>
            Retry
          </Button>
        ) : undefined
      }
    >
      {title && <AlertTitle>{title}</AlertTitle>}
      {errorMessage(error)}
      {showFieldErrors && fields.length > 0 && (
        <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
          {fields.map(([f, m]) => (
            <li key={f}>
              {f}: {m}
            </li>
          ))}
        </ul>
      )}
    </Alert>
  );
}
