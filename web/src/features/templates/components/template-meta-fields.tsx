import { FormControlLabel, Grid, MenuItem, Switch, TextField } from '@mui/material';
import { memo } from 'react';
import type { TemplateInput } from '@/lib/api/templates/save-template';
import { TEMPLATE_TYPE_LABELS, TEMPLATE_TYPES, type TemplateType } from '@/lib/template-types';

export type TemplateMetaPatch = Partial<
  Pick<TemplateInput, 'template_name' | 'template_type' | 'is_default'>
>;

/** Name, type and default flag: memoised, so typing in the code editors does not re-render them. */
export const TemplateMetaFields = memo(function TemplateMetaFields({
  name,
  type,
  isDefault,
  nameError,
  typeError,
  onChange,
}: {
  name: string;
  type: TemplateType;
  isDefault: boolean;
  nameError?: string;
  typeError?: string;
  onChange: (patch: TemplateMetaPatch) => void;
}) {
  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 12, sm: 6 }}>
        <TextField
          label="Template name"
          required
          fullWidth
          value={name}
          onChange={(e) => onChange({ template_name: e.target.value })}
          error={!!nameError}
          helperText={nameError}
        />
      </Grid>
      <Grid size={{ xs: 12, sm: 4 }}>
        <TextField
          select
          label="Template type"
          fullWidth
          value={type}
          onChange={(e) => onChange({ template_type: e.target.value as TemplateType })}
          error={!!typeError}
          helperText={typeError}
        >
          {TEMPLATE_TYPES.map((t) => (
            <MenuItem key={t} value={t}>
              {TEMPLATE_TYPE_LABELS[t]}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid size={{ xs: 12, sm: 2 }}>
        <FormControlLabel
          control={
            <Switch checked={isDefault} onChange={(e) => onChange({ is_default: e.target.checked })} />
          }
          label="Default"
        />
      </Grid>
    </Grid>
  );
});
