import AddIcon from '@mui/icons-material/Add';
import OpenInNewIcon from '@mui/icons-material/OpenInNew';
import {
  Box,
  Button,
  CircularProgress,
  Link,
  MenuItem,
  Paper,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { Link as RouterLink } from 'react-router-dom';
import { CodeBlock } from '@/components/code-block';
import type { Template } from '@/lib/api/models';
import { paths } from '@/lib/paths';
import type { TemplateRole } from '@/lib/template-types';

export const ROLE_LABELS: Record<TemplateRole, string> = {
  stage_selection: 'Stage selection template',
  data_extraction: 'Data extraction template',
  response_generation: 'Response generation template',
};

/** Picks the template of one role for a stage, previews it, and can copy the business's default. */
export function TemplatePicker({
  role,
  templates,
  value,
  onChange,
  onCreateFromDefault,
  creating,
  error,
  allowFreshCopy,
}: {
  role: TemplateRole;
  templates: Template[];
  value: string;
  onChange: (id: string) => void;
  onCreateFromDefault: () => void;
  creating: boolean;
  error?: string;
  allowFreshCopy: boolean;
}) {
  const options = templates.filter((t) => t.template_type === role);
  const selected = templates.find((t) => t.template_id === value);
  const hasDefault = templates.some((t) => t.template_type === `default_${role}`);
  return (
    <Paper sx={{ p: 1.5 }}>
      <Stack spacing={1}>
        <TextField
          select
          fullWidth
          label={ROLE_LABELS[role]}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          error={!!error}
          helperText={
            error ??
            (value
              ? undefined
              : allowFreshCopy
                ? 'A fresh copy of the default is created with the stage.'
                : 'Required')
          }
          slotProps={{ select: { displayEmpty: allowFreshCopy }, inputLabel: { shrink: true } }}
        >
          {allowFreshCopy && (
            <MenuItem value="">
              <em>New copy of the default</em>
            </MenuItem>
          )}
          {options.map((t) => (
            <MenuItem key={t.template_id} value={t.template_id}>
              {t.template_name}
            </MenuItem>
          ))}
        </TextField>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
          <Button
            size="small"
            startIcon={creating ? <CircularProgress size={14} /> : <AddIcon />}
            onClick={onCreateFromDefault}
            disabled={creating || !hasDefault}
            aria-label={`Create from default: ${ROLE_LABELS[role]}`}
          >
            Create from default
          </Button>
          {selected && (
            <Link
              component={RouterLink}
              to={paths.template(selected.template_id)}
              sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, fontSize: 14 }}
            >
              Open in editor <OpenInNewIcon sx={{ fontSize: 14 }} />
            </Link>
          )}
        </Stack>
        {selected ? (
          <Box>
            <Typography variant="caption" color="text.secondary">
              Preview
            </Typography>
            <CodeBlock label={`${ROLE_LABELS[role]} preview`} maxHeight={160}>
              {selected.content || '(empty)'}
            </CodeBlock>
          </Box>
        ) : null}
      </Stack>
    </Paper>
  );
}
