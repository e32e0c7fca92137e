import { Stack, TextField } from '@mui/material';
import { CopyButton } from '@/components/copy-button';

/** A read-only value the user pastes somewhere else (a webhook URL, a key). */
export function CopyableValue({
  label,
  value,
  helperText,
}: {
  label: string;
  value: string;
  helperText?: string;
}) {
  return (
    <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'flex-start' } }}>
      <TextField
        label={label}
        value={value}
        helperText={helperText}
        fullWidth
        slotProps={{ input: { readOnly: true, sx: { fontFamily: 'monospace', fontSize: 13 } } }}
      />
      <CopyButton text={value} label={`Copy ${label.toLowerCase()}`} />
    </Stack>
  );
}
