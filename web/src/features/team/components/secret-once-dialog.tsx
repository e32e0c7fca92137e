import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack } from '@mui/material';
import { CopyButton } from '@/components/copy-button';
import type { CreatedApiKey } from '@/lib/api/models';
import { monoFont } from '@/theme/theme';

/** The only time a key's secret is visible: it lives in this dialog's props and nowhere else. */
export function SecretOnceDialog({
  created,
  onClose,
}: {
  created: CreatedApiKey | null;
  onClose: () => void;
}) {
  return (
    <Dialog open={!!created} onClose={onClose} maxWidth="sm" fullWidth aria-labelledby="secret-title">
      <DialogTitle id="secret-title">API key "{created?.name}"</DialogTitle>
      <DialogContent>
        <Alert severity="warning" sx={{ mb: 2 }}>
          Copy this key now. It is shown only once and cannot be retrieved later.
        </Alert>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', gap: 1 }}>
          <Box
            component="code"
            aria-label="New API key"
            sx={{
              fontFamily: monoFont,
              wordBreak: 'break-all',
              p: 1,
              bgcolor: 'action.hover',
              borderRadius: 1,
              flex: 1,
            }}
          >
            {created?.api_key}
          </Box>
          {created && <CopyButton text={created.api_key} label="Copy key" />}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button variant="contained" onClick={onClose}>
          I have copied it
        </Button>
      </DialogActions>
    </Dialog>
  );
}
