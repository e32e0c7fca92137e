import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import EditIcon from '@mui/icons-material/Edit';
import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  IconButton,
  MenuItem,
  Stack,
  TableCell,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { type FormEvent, useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { EmptyState } from '@/components/empty-state';
import { ErrorAlert } from '@/components/error-alert';
import { ListView } from '@/components/list-view';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { fieldErrorsOf } from '@/lib/api/errors';
import { useDeleteField, useFields, useSaveField } from '@/lib/api/fields/fields';
import type { Field, FieldType } from '@/lib/api/models';
import { useCan } from '@/lib/auth/permissions';

const NAME = /^[a-z][a-z0-9_]{0,63}$/;

export const FIELD_TYPE_LABELS: Record<FieldType, string> = {
  text: 'Text',
  email: 'E-mail',
  phone: 'Phone',
  number: 'Number',
  date: 'Date',
  enum: 'One of a list',
  boolean: 'Yes / no',
};

/** Typed fields: the facts extraction asks the model for; stages list the ones they need. */
export function FieldsPage() {
  return (
    <RequireBusiness>{(businessId) => <Fields key={businessId} businessId={businessId} />}</RequireBusiness>
  );
}

function Fields({ businessId }: { businessId: string }) {
  const list = useFields(businessId);
  const edit = useCan('content.edit');
  const del = useDeleteField(businessId);
  const [editing, setEditing] = useState<Field | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Field | null>(null);
  const rows = list.data?.fields ?? [];

  return (
    <>
      <PageHeader
        title="Fields"
        subtitle="The facts your assistant collects, with their type: extraction asks for exactly the fields of the stage, and invalid values are dropped. Changes are part of the draft until you publish."
        actions={
          edit.allowed ? (
            <Button variant="contained" startIcon={<AddIcon />} onClick={() => setEditing('new')}>
              New field
            </Button>
          ) : undefined
        }
      />
      {!edit.allowed && (
        <Typography variant="body2" color="text.secondary" role="note" sx={{ mb: 1 }}>
          Read only: {edit.reason}
        </Typography>
      )}
      <ListView
        query={list}
        label="Fields"
        empty={
          rows.length === 0 && (
            <EmptyState
              title="No fields yet"
              description="Add the facts you need (an e-mail, a date, a choice), then pick them on a stage as required or optional."
            />
          )
        }
        head={
          <>
            <TableCell>Name</TableCell>
            <TableCell>Label</TableCell>
            <TableCell>Type</TableCell>
            <TableCell>Description</TableCell>
            <TableCell>Personal data</TableCell>
            {edit.allowed && <TableCell align="right">Actions</TableCell>}
          </>
        }
      >
        {rows.map((f) => (
          <TableRow key={f.name}>
            <TableCell sx={{ fontFamily: 'monospace' }}>{f.name}</TableCell>
            <TableCell>{f.label}</TableCell>
            <TableCell>
              {FIELD_TYPE_LABELS[f.type]}
              {f.type === 'enum' && f.values ? `: ${f.values.join(', ')}` : ''}
            </TableCell>
            <TableCell sx={{ wordBreak: 'break-word' }}>{f.description}</TableCell>
            <TableCell>{f.pii ? 'Yes' : 'No'}</TableCell>
            {edit.allowed && (
              <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                <IconButton aria-label={`Edit ${f.name}`} onClick={() => setEditing(f)}>
                  <EditIcon />
                </IconButton>
                <IconButton aria-label={`Delete ${f.name}`} onClick={() => setDeleting(f)}>
                  <DeleteIcon />
                </IconButton>
              </TableCell>
            )}
          </TableRow>
        ))}
      </ListView>
      {editing && (
        <FieldDialog
          businessId={businessId}
          field={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
        />
      )}
      <ConfirmDialog
        open={!!deleting}
        title={`Delete ${deleting?.name ?? ''}?`}
        message="Values already collected stay in conversations. A field a stage still lists cannot be deleted."
        pending={del.isPending}
        error={del.error}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && del.mutate(deleting.name, { onSuccess: () => setDeleting(null) })}
      />
    </>
  );
}

function FieldDialog({
  businessId,
  field,
  onClose,
}: {
  businessId: string;
  field: Field | null;
  onClose: () => void;
}) {
  const save = useSaveField(businessId);
  const [name, setName] = useState(field?.name ?? '');
  const [label, setLabel] = useState(field?.label ?? '');
  const [type, setType] = useState<FieldType>(field?.type ?? 'text');
  const [values, setValues] = useState((field?.values ?? []).join(', '));
  const [description, setDescription] = useState(field?.description ?? '');
  const [pii, setPii] = useState(field?.pii ?? false);
  const [touched, setTouched] = useState(false);
  const fe = fieldErrorsOf(save.error);
  const valueList = values
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const nameError =
    fe.name ??
    (touched && !NAME.test(name)
      ? 'Lowercase letters, digits and _, starting with a letter (it is the key in collected data).'
      : undefined);
  const labelError = fe.label ?? (touched && !label.trim() ? 'Give the field a label.' : undefined);
  const valuesError =
    fe.values ??
    (touched && type === 'enum' && valueList.length === 0 ? 'List the allowed values.' : undefined);

  function submit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (!NAME.test(name) || !label.trim() || (type === 'enum' && valueList.length === 0)) return;
    save.mutate(
      {
        isNew: !field,
        field: {
          name,
          label: label.trim(),
          type,
          description,
          pii,
          ...(type === 'enum' ? { values: valueList } : {}),
        },
      },
      { onSuccess: onClose },
    );
  }

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <form onSubmit={submit} noValidate>
        <DialogTitle>{field ? `Edit ${field.name}` : 'New field'}</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            <TextField
              label="Name"
              value={name}
              onChange={(e) => setName(e.target.value.toLowerCase())}
              error={!!nameError}
              helperText={nameError ?? 'For example email or visit_date; {{visit_date}} in templates.'}
              required
              disabled={!!field}
              autoFocus={!field}
            />
            <TextField
              label="Label"
              value={label}
              onChange={(e) => setLabel(e.target.value)}
              error={!!labelError}
              helperText={labelError ?? 'How the field is named to people and in {{missing_fields}}.'}
              required
            />
            <TextField
              select
              label="Type"
              value={type}
              onChange={(e) => setType(e.target.value as FieldType)}
              helperText="E-mails must be valid, dates become YYYY-MM-DD, phones +digits when possible."
            >
              {(Object.keys(FIELD_TYPE_LABELS) as FieldType[]).map((t) => (
                <MenuItem key={t} value={t}>
                  {FIELD_TYPE_LABELS[t]}
                </MenuItem>
              ))}
            </TextField>
            {type === 'enum' && (
              <TextField
                label="Allowed values"
                value={values}
                onChange={(e) => setValues(e.target.value)}
                error={!!valuesError}
                helperText={valuesError ?? 'Comma-separated, e.g. Single, Double, Suite.'}
                required
              />
            )}
            <TextField
              label="Description for the model"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              helperText={fe.description ?? 'What to extract, e.g. "the day of the visit".'}
              multiline
              minRows={2}
            />
            <FormControlLabel
              control={<Checkbox checked={pii} onChange={(e) => setPii(e.target.checked)} />}
              label="Personal data (PII)"
            />
            {!fe.name && !fe.label && !fe.values && <ErrorAlert error={save.error} />}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={save.isPending}>
            Save
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
