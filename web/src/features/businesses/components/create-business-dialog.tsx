import {
  Button,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  TextField,
} from '@mui/material';
import { type FormEvent, useEffect, useState } from 'react';
import { ErrorAlert } from '@/components/error-alert';
import { type CreateBusinessInput, useCreateBusiness } from '@/lib/api/businesses/create-business';
import { fieldErrorsOf } from '@/lib/api/errors';
import type { BusinessWithKey } from '@/lib/api/models';

const FIELDS: { name: keyof CreateBusinessInput; label: string; multiline?: boolean }[] = [
  { name: 'business_name', label: 'Business name' },
  { name: 'business_description', label: 'Description', multiline: true },
  { name: 'address', label: 'Address' },
  { name: 'phone_number', label: 'Phone number' },
  { name: 'website', label: 'Website' },
  { name: 'owner_id', label: 'Owner ID' },
];

export function CreateBusinessDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (b: BusinessWithKey) => void;
}) {
  const create = useCreateBusiness();
  const [values, setValues] = useState<CreateBusinessInput>({ business_name: '' });
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset only when the dialog opens
  useEffect(() => {
    if (open) {
      setValues({ business_name: '' });
      create.reset();
    }
  }, [open]);
  const fe = fieldErrorsOf(create.error);

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate(values, { onSuccess: (b) => onCreated(b) });
  }

  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth aria-labelledby="create-business-title">
      <form onSubmit={submit} noValidate>
        <DialogTitle id="create-business-title">Create business</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            {FIELDS.map((f) => (
              <TextField
                key={f.name}
                label={f.label}
                name={f.name}
                required={f.name === 'business_name'}
                autoFocus={f.name === 'business_name'}
                multiline={f.multiline}
                minRows={f.multiline ? 2 : undefined}
                value={values[f.name] ?? ''}
                onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
                error={!!fe[f.name]}
                helperText={fe[f.name]}
              />
            ))}
            <ErrorAlert error={create.error} />
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            type="submit"
            variant="contained"
            disabled={create.isPending || !values.business_name.trim()}
            startIcon={create.isPending ? <CircularProgress size={16} color="inherit" /> : undefined}
          >
            Create
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
