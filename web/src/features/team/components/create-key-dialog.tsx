import {
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormGroup,
  FormHelperText,
  FormLabel,
  Stack,
  TextField,
} from '@mui/material';
import { type FormEvent, useState } from 'react';
import { ErrorAlert } from '@/components/error-alert';
import { useCreateApiKey } from '@/lib/api/api-keys/create-api-key';
import { fieldErrorsOf } from '@/lib/api/errors';
import type { CreatedApiKey, KeyScope } from '@/lib/api/models';

export const SCOPES: { scope: KeyScope; label: string; description: string }[] = [
  { scope: 'messages', label: 'messages', description: 'post messages and read their results' },
  { scope: 'read', label: 'read', description: 'read everything of the business' },
  { scope: 'write', label: 'write', description: 'read, and change what an editor may' },
  { scope: 'admin', label: 'admin', description: 'everything an owner may: channels, keys, members' },
];

export function CreateKeyDialog({
  businessId,
  open,
  onClose,
  onCreated,
}: {
  businessId: string;
  open: boolean;
  onClose: () => void;
  onCreated: (key: CreatedApiKey) => void;
}) {
  const create = useCreateApiKey(businessId);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<KeyScope[]>(['messages']);
  const [expires, setExpires] = useState('');

  function close() {
    create.reset();
    setName('');
    setScopes(['messages']);
    setExpires('');
    onClose();
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate(
      {
        name: name.trim(),
        scopes,
        ...(expires ? { expires_at: new Date(`${expires}T23:59:59`).toISOString() } : {}),
      },
      {
        onSuccess: (key) => {
          close();
          onCreated(key);
        },
      },
    );
  }

  const fe = fieldErrorsOf(create.error);
  const toggle = (s: KeyScope) =>
    setScopes((current) => (current.includes(s) ? current.filter((x) => x !== s) : [...current, s]));
  return (
    <Dialog open={open} onClose={close} maxWidth="sm" fullWidth aria-labelledby="create-key-title">
      <DialogTitle id="create-key-title">New API key</DialogTitle>
      <Box component="form" onSubmit={submit} noValidate>
        <DialogContent>
          <Stack spacing={2}>
            <TextField
              label="Key name"
              name="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              error={!!fe.name}
              helperText={fe.name ?? 'Where it is used, e.g. "Website backend".'}
              required
              fullWidth
              autoFocus
            />
            <FormControl error={!!fe.scopes} component="fieldset">
              <FormLabel component="legend">Scopes</FormLabel>
              <FormGroup>
                {SCOPES.map((s) => (
                  <FormControlLabel
                    key={s.scope}
                    control={<Checkbox checked={scopes.includes(s.scope)} onChange={() => toggle(s.scope)} />}
                    label={`${s.label}: ${s.description}`}
                  />
                ))}
              </FormGroup>
              {fe.scopes && <FormHelperText>{fe.scopes}</FormHelperText>}
            </FormControl>
            <TextField
              label="Expires on"
              name="expires_at"
              type="date"
              value={expires}
              onChange={(e) => setExpires(e.target.value)}
              error={!!fe.expires_at}
              helperText={fe.expires_at ?? 'Leave empty for a key that does not expire.'}
              slotProps={{ inputLabel: { shrink: true } }}
              fullWidth
            />
            <ErrorAlert error={create.error} />
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={close}>Cancel</Button>
          <Button
            type="submit"
            variant="contained"
            disabled={create.isPending || !name.trim() || scopes.length === 0}
          >
            Create key
          </Button>
        </DialogActions>
      </Box>
    </Dialog>
  );
}
