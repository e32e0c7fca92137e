import { Box, Chip, Stack, Typography } from '@mui/material';
import { ErrorAlert } from '@/components/error-alert';
import { LineDiffView } from '@/components/line-diff-view';
import { Loading } from '@/components/loading';
import type { ConfigurationDiff } from '@/lib/api/models';
import { useReleaseDiff } from '@/lib/api/releases/releases';
import { formatValue } from '@/lib/format';

type FieldChange = ConfigurationDiff['settings'][number];

const CHANGE_COLOR = { added: 'success', removed: 'error', changed: 'warning' } as const;
/** Long texts read best as a line diff; the rest as before → after. */
const TEXT_FIELDS = new Set(['content', 'system_prompt', 'stage_description', 'fallback_reply']);

function Fields({ fields, label }: { fields: FieldChange[]; label: string }) {
  return (
    <Stack spacing={1} sx={{ mt: 1 }}>
      {fields.map((f) =>
        TEXT_FIELDS.has(f.field) ? (
          <Box key={f.field}>
            <Typography variant="body2" sx={{ fontWeight: 600 }}>
              {f.field}
            </Typography>
            <LineDiffView
              before={typeof f.from === 'string' ? f.from : formatValue(f.from)}
              after={typeof f.to === 'string' ? f.to : formatValue(f.to)}
              label={`${label}: ${f.field}`}
            />
          </Box>
        ) : (
          <Typography key={f.field} variant="body2">
            <strong>{f.field}</strong>: {formatValue(f.from)} → {formatValue(f.to)}
          </Typography>
        ),
      )}
    </Stack>
  );
}

function Entry({
  name,
  change,
  fields,
  kind,
}: {
  name: string;
  change: 'added' | 'removed' | 'changed';
  fields: FieldChange[];
  kind: string;
}) {
  return (
    <Box sx={{ py: 1, borderTop: 1, borderColor: 'divider' }}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <Chip size="small" color={CHANGE_COLOR[change]} label={change} />
        <Typography variant="body2">
          {kind} <strong>{name}</strong>
        </Typography>
      </Stack>
      {fields.length > 0 && <Fields fields={fields} label={`${kind} ${name}`} />}
    </Box>
  );
}

/** What differs between two of: the draft, the published release, release N. */
export function ConfigurationDiffView({
  businessId,
  from,
  to,
}: {
  businessId: string;
  from: string;
  to: string;
}) {
  const diff = useReleaseDiff(businessId, from, to);
  if (from === to) return <Typography color="text.secondary">Choose two different sides.</Typography>;
  if (diff.isPending) return <Loading />;
  if (diff.error) return <ErrorAlert error={diff.error} />;
  const d = diff.data;
  if (!d.changed)
    return (
      <Typography role="status" color="text.secondary">
        No difference.
      </Typography>
    );
  return (
    <Box role="region" aria-label="Differences">
      {d.settings.length > 0 && (
        <Box sx={{ py: 1 }}>
          <Typography variant="body2" sx={{ fontWeight: 600 }}>
            Settings
          </Typography>
          <Fields fields={d.settings} label="Settings" />
        </Box>
      )}
      {d.stages.map((s) => (
        <Entry key={s.stage_id} kind="Stage" name={s.stage_name} change={s.change} fields={s.fields} />
      ))}
      {d.templates.map((t) => (
        <Entry
          key={t.template_id}
          kind="Template"
          name={t.template_name}
          change={t.change}
          fields={t.fields}
        />
      ))}
    </Box>
  );
}
