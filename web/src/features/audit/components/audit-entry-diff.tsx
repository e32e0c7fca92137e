import {
  Box,
  Button,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { useMemo, useState } from 'react';
import { ADDED_BG, LineDiffView, REMOVED_BG } from '@/components/line-diff-view';
import type { AuditEntry } from '@/lib/api/models';
import { diffFields, type FieldChange, isLongText } from '@/lib/field-diff';
import { monoFont } from '@/theme/theme';

/** One value of a snapshot as text: strings as they are, anything else as JSON; absent as a dash. */
function Value({ value, mark }: { value: unknown; mark?: 'ins' | 'del' }) {
  if (value === undefined) {
    return (
      <Typography component="span" variant="body2" color="text.disabled">
        —
      </Typography>
    );
  }
  const text = typeof value === 'string' ? (value === '' ? '""' : value) : JSON.stringify(value);
  const body =
    mark === 'ins' ? (
      <ins style={{ textDecoration: 'none' }}>{text}</ins>
    ) : mark === 'del' ? (
      <del style={{ textDecoration: 'none' }}>{text}</del>
    ) : (
      text
    );
  return (
    <Box
      component="span"
      sx={{
        fontFamily: monoFont,
        fontSize: 12.5,
        whiteSpace: 'pre-wrap',
        wordBreak: 'break-word',
        display: 'block',
        maxHeight: 240,
        overflow: 'auto',
        color: value === null || value === '' ? 'text.secondary' : undefined,
      }}
    >
      {body}
    </Box>
  );
}

const changedBoth = (c: FieldChange): c is FieldChange & { before: string; after: string } =>
  c.kind === 'changed' &&
  typeof c.before === 'string' &&
  typeof c.after === 'string' &&
  (isLongText(c.before) || isLongText(c.after));

/**
 * What an audit entry changed: a field-level before/after table with the changed fields marked and
 * the unchanged ones folded away; long texts (template content, prompts) as a line diff. A create
 * shows the new entity's fields, a delete the removed entity's.
 */
export function AuditEntryDiff({ entry }: { entry: AuditEntry }) {
  const changes = useMemo(() => diffFields(entry.before, entry.after), [entry.before, entry.after]);
  const [showUnchanged, setShowUnchanged] = useState(false);
  const unchanged = changes.filter((c) => c.kind === 'same').length;
  const visible = showUnchanged ? changes : changes.filter((c) => c.kind !== 'same');
  const mode =
    entry.before && entry.after ? 'compare' : entry.after ? 'created' : entry.before ? 'deleted' : 'none';
  const details = entry.details && Object.keys(entry.details).length > 0 ? entry.details : null;

  return (
    <Stack spacing={1} sx={{ py: 1 }}>
      {details && (
        <Typography variant="body2" color="text.secondary">
          {Object.entries(details)
            .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' · ')}
        </Typography>
      )}
      {mode === 'none' ? (
        <Typography variant="body2" color="text.secondary">
          Nothing public to compare: the change concerns a secret (such as a key), which is never recorded.
        </Typography>
      ) : mode === 'compare' && visible.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No field changed.
        </Typography>
      ) : (
        <Table size="small" aria-label="Changed fields">
          <TableHead>
            <TableRow>
              <TableCell sx={{ width: '22%' }}>Field</TableCell>
              {mode === 'compare' ? (
                <>
                  <TableCell sx={{ width: '39%' }}>Before</TableCell>
                  <TableCell>After</TableCell>
                </>
              ) : (
                <TableCell>{mode === 'created' ? 'Value' : 'Value before deletion'}</TableCell>
              )}
            </TableRow>
          </TableHead>
          <TableBody>
            {visible.map((c) => (
              <TableRow key={c.field} data-change={c.kind} sx={{ verticalAlign: 'top' }}>
                <TableCell
                  sx={{ fontFamily: monoFont, fontSize: 12.5, fontWeight: c.kind === 'same' ? 400 : 600 }}
                >
                  {c.field}
                </TableCell>
                {mode !== 'compare' ? (
                  <TableCell>
                    <Value value={mode === 'created' ? c.after : c.before} />
                  </TableCell>
                ) : changedBoth(c) ? (
                  <TableCell colSpan={2}>
                    <LineDiffView before={c.before} after={c.after} label={`Changes to ${c.field}`} />
                  </TableCell>
                ) : (
                  <>
                    <TableCell
                      sx={{ bgcolor: c.kind === 'changed' || c.kind === 'removed' ? REMOVED_BG : undefined }}
                    >
                      <Value value={c.before} mark={c.kind === 'same' ? undefined : 'del'} />
                    </TableCell>
                    <TableCell
                      sx={{ bgcolor: c.kind === 'changed' || c.kind === 'added' ? ADDED_BG : undefined }}
                    >
                      <Value value={c.after} mark={c.kind === 'same' ? undefined : 'ins'} />
                    </TableCell>
                  </>
                )}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {mode === 'compare' && unchanged > 0 && (
        <Box>
          <Button size="small" onClick={() => setShowUnchanged((v) => !v)}>
            {showUnchanged
              ? 'Hide unchanged fields'
              : `Show ${unchanged} unchanged field${unchanged === 1 ? '' : 's'}`}
          </Button>
        </Box>
      )}
    </Stack>
  );
}
