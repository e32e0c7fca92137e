import PublishIcon from '@mui/icons-material/Publish';
import RestoreIcon from '@mui/icons-material/Restore';
import {
  Alert,
  Box,
  Button,
  Chip,
  Link,
  MenuItem,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { DisabledReason } from '@/components/disabled-reason';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import type { ReleaseStatus, ReleaseSummary } from '@/lib/api/models';
import {
  usePublishRelease,
  useReleaseStatus,
  useReleases,
  useRestoreRelease,
} from '@/lib/api/releases/releases';
import { useCan } from '@/lib/auth/permissions';
import { formatDateTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import { ConfigurationDiffView } from './configuration-diff-view';

/**
 * What the draft's newest completed test run says, next to the Publish button: a warning (publishing
 * stays possible) when cases failed or the draft changed after the run.
 */
function LastTestRun({ run }: { run: ReleaseStatus['last_test_run'] | undefined }) {
  if (run === undefined) return null;
  if (run === null) {
    return (
      <Alert severity="info" sx={{ mt: 1.5 }} data-testid="last-test-run">
        The draft has no completed test run: run a stage's tests before publishing to see what changed.
      </Alert>
    );
  }
  const link = run.stage_id ? (
    <Link component={RouterLink} to={paths.stageTestRun(run.stage_id, run.test_run_id)}>
      See the run
    </Link>
  ) : null;
  const when = run.finished_at ? ` (${formatDateTime(run.finished_at)})` : '';
  const counts = `${run.passed} passed, ${run.failed} failed of ${run.total}`;
  const warnings = [
    ...(run.failed > 0 ? [`${run.failed} test case${run.failed === 1 ? '' : 's'} failed.`] : []),
    ...(run.draft_changed_since ? ['The draft changed after this run: its result may be out of date.'] : []),
  ];
  return (
    <Alert
      severity={warnings.length > 0 ? 'warning' : 'success'}
      sx={{ mt: 1.5 }}
      data-testid="last-test-run"
      action={link}
    >
      Last test run of the draft{when}: {counts}. {warnings.join(' ')}
      {warnings.length > 0 && ' You can still publish.'}
    </Alert>
  );
}

export function ReleasesPage() {
  return (
    <RequireBusiness>{(businessId) => <Releases key={businessId} businessId={businessId} />}</RequireBusiness>
  );
}

function Releases({ businessId }: { businessId: string }) {
  const list = useReleases(businessId);
  const status = useReleaseStatus(businessId);
  const publish = usePublishRelease(businessId);
  const restore = useRestoreRelease(businessId);
  const edit = useCan('releases.publish');
  const [note, setNote] = useState('');
  const [restoring, setRestoring] = useState<ReleaseSummary | null>(null);

  if (list.isPending) return <Loading />;
  if (list.error) return <ErrorAlert error={list.error} onRetry={() => list.refetch()} />;
  const { releases, published, draft_changed } = list.data;
  const sides = [
    'draft',
    ...(published !== null ? ['published'] : []),
    ...releases.map((r) => String(r.number)),
  ];

  return (
    <>
      <PageHeader
        title="Releases"
        subtitle="Stages and templates are edited as a draft; publishing freezes the whole configuration as a numbered release that every channel answers with."
      />
      {published === null ? (
        <Alert severity="info" sx={{ mb: 2 }} role="status">
          Not published yet: live traffic uses your working copy — publish to freeze it.
        </Alert>
      ) : (
        <Alert severity={draft_changed ? 'warning' : 'success'} sx={{ mb: 2 }} role="status">
          Live traffic uses release {published}.{' '}
          {draft_changed
            ? 'The draft has changes that are not published.'
            : 'The draft is the same as the published release.'}
        </Alert>
      )}

      <Paper sx={{ p: 2, mb: 2 }}>
        <Typography variant="h2" component="h2" sx={{ fontSize: 18, mb: 1.5 }}>
          Publish the draft
        </Typography>
        <Stack
          direction={{ xs: 'column', sm: 'row' }}
          spacing={1.5}
          sx={{ alignItems: { sm: 'flex-start' } }}
        >
          <TextField
            label="Release note"
            size="small"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            disabled={!edit.allowed}
            slotProps={{ htmlInput: { maxLength: 2000 } }}
            sx={{ flexGrow: 1 }}
            placeholder="What changed and why"
          />
          <DisabledReason
            reason={
              edit.reason ??
              (published !== null && !draft_changed ? 'Nothing changed since the last release.' : null)
            }
          >
            <Button
              variant="contained"
              startIcon={<PublishIcon />}
              disabled={!edit.allowed || publish.isPending || (published !== null && !draft_changed)}
              onClick={() => publish.mutate(note, { onSuccess: () => setNote('') })}
            >
              Publish
            </Button>
          </DisabledReason>
        </Stack>
        <LastTestRun run={status.data?.last_test_run} />
        <ErrorAlert error={publish.error} />
        {publish.data && (
          <Alert severity="success" sx={{ mt: 1.5 }} role="status">
            Published release {publish.data.number}.
          </Alert>
        )}
      </Paper>

      {releases.length > 0 && <CompareSection businessId={businessId} sides={sides} />}

      <Paper sx={{ mb: 2, overflowX: 'auto' }}>
        <Typography variant="h2" component="h2" sx={{ fontSize: 18, p: 2, pb: 1 }}>
          History
        </Typography>
        {releases.length === 0 ? (
          <Typography sx={{ px: 2, pb: 2 }} color="text.secondary">
            No release yet.
          </Typography>
        ) : (
          <Table size="small" aria-label="Releases">
            <TableHead>
              <TableRow>
                <TableCell>Release</TableCell>
                <TableCell>Note</TableCell>
                <TableCell>Author</TableCell>
                <TableCell>Published</TableCell>
                <TableCell align="right">Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {releases.map((r) => (
                <TableRow key={r.number} data-testid={`release-${r.number}`}>
                  <TableCell>
                    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                      <span>#{r.number}</span>
                      {r.number === published && <Chip size="small" color="success" label="Live" />}
                      {r.restored_from !== null && (
                        <Chip size="small" variant="outlined" label={`Restores #${r.restored_from}`} />
                      )}
                    </Stack>
                  </TableCell>
                  <TableCell>
                    {r.note || (
                      <Box component="span" sx={{ color: 'text.secondary' }}>
                        —
                      </Box>
                    )}
                  </TableCell>
                  <TableCell>{r.author.name}</TableCell>
                  <TableCell>{formatDateTime(r.created_at)}</TableCell>
                  <TableCell align="right">
                    {r.number !== published && (
                      <DisabledReason reason={edit.reason}>
                        <Button
                          size="small"
                          startIcon={<RestoreIcon />}
                          disabled={!edit.allowed}
                          onClick={() => setRestoring(r)}
                          aria-label={`Restore release ${r.number}`}
                        >
                          Restore
                        </Button>
                      </DisabledReason>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Paper>

      <ConfirmDialog
        open={restoring !== null}
        title={`Restore release ${restoring?.number ?? ''}?`}
        message={
          <>
            The draft becomes release {restoring?.number}'s configuration (changed templates get a new
            version) and is published at once as a new release. Unpublished draft changes are replaced.
          </>
        }
        confirmLabel="Restore"
        destructive={false}
        pending={restore.isPending}
        error={restore.error}
        onClose={() => {
          restore.reset();
          setRestoring(null);
        }}
        onConfirm={() => {
          if (restoring) restore.mutate(restoring.number, { onSuccess: () => setRestoring(null) });
        }}
      />
    </>
  );
}

const sideLabel = (side: string) =>
  side === 'draft' ? 'Draft' : side === 'published' ? 'Published' : `Release ${side}`;

function CompareSection({ businessId, sides }: { businessId: string; sides: string[] }) {
  const [from, setFrom] = useState('published');
  const [to, setTo] = useState('draft');
  const select = (label: string, value: string, onChange: (v: string) => void) => (
    <TextField
      select
      size="small"
      label={label}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      sx={{ minWidth: 160 }}
    >
      {sides.map((side) => (
        <MenuItem key={side} value={side}>
          {sideLabel(side)}
        </MenuItem>
      ))}
    </TextField>
  );
  return (
    <Paper sx={{ p: 2, mb: 2 }}>
      <Typography variant="h2" component="h2" sx={{ fontSize: 18, mb: 1.5 }}>
        Compare
      </Typography>
      <Stack direction="row" spacing={1.5} sx={{ mb: 2, flexWrap: 'wrap', rowGap: 1.5 }}>
        {select('From', from, setFrom)}
        {select('To', to, setTo)}
      </Stack>
      <ConfigurationDiffView businessId={businessId} from={from} to={to} />
    </Paper>
  );
}
