import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  Typography,
} from '@mui/material';
import { CopyButton } from '@/components/copy-button';
import { monoFont } from '@/theme/theme';

/** The only time a key is ever visible: it is not kept anywhere once this dialog closes. */
export function NewKeyDialog({
  open,
  title,
  apiKey,
  businessId,
  onClose,
}: {
  open: boolean;
  title: string;
  apiKey: string | null;
  businessId?: string;
  onClose: () => void;
}) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth aria-labelledby="new-key-title">
      <DialogTitle id="new-key-title">{title}</DialogTitle>
      <DialogContent>
        <Alert severity="warning" sx={{ mb: 2 }}>
          Copy this API key now. It is shown only once and cannot be retrieved later.
        </Alert>
        {businessId && (
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1.5, flexWrap: 'wrap' }}>
            <Typography variant="body2" sx={{ minWidth: 90 }}>
              Business ID
            </Typography>
            <Box
              component="code"
              aria-label="New business ID"
              sx={{ fontFamily: monoFont, wordBreak: 'break-all' }}
            >
              {businessId}
            </Box>
            <CopyButton text={businessId} label="Copy ID" />
          </Stack>
        )}
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography variant="body2" sx={{ minWidth: 90 }}>
            API key
          </Typography>
          <Box
            component="code"
            aria-label="New API key"
            data-testid="new-api-key"
            sx={{
              fontFamily: monoFont,
              wordBreak: 'break-all',
              p: 1,
              bgcolor: 'action.hover',
              borderRadius: 1,
              flex: 1,
            }}
          >
            {apiKey}
          </Box>
          {apiKey && <CopyButton text={apiKey} label="Copy key" />}
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
