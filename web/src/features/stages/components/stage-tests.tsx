import DeleteIcon from '@mui/icons-material/Delete';
import EditIcon from '@mui/icons-material/Edit';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Box,
  Button,
  Checkbox,
  Chip,
  IconButton,
  LinearProgress,
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
import { CodeBlock } from '@/components/code-block';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { TestCaseDialog } from '@/components/test-case-dialog';
import {
  type TestCase,
  type TestRunDetail,
  useCompareTestRuns,
  useDeleteTestCase,
  useStartTestRun,
  useTestCases,
  useTestRun,
  useTestRuns,
} from '@/lib/api/tests/golden-tests';
import { useCan } from '@/lib/auth/permissions';
import { formatCost, formatDateTime, formatMs, prettyJson } from '@/lib/format';

const STEP_LABELS: Record<string, string> = {
  stage_selection: 'Stage selection',
  data_extraction: 'Data extraction',
  response_generation: 'Response generation',
  rubric: 'Rubric',
};

const pct = (rate: number | null | undefined) => (rate == null ? '–' : `${Math.round(rate * 100)}%`);

function summary(c: TestCase) {
  const e = c.expectations;
  const parts: string[] = [];
  if (e.stage) parts.push(e.stage.mode === 'stays' ? 'stage stays' : 'stage changes');
  if (e.fields?.length) parts.push(`${e.fields.length} field${e.fields.length > 1 ? 's' : ''}`);
  if (e.reply) parts.push('reply');
  if (e.reply?.rubric) parts.push('rubric');
  return parts.join(' · ');
}

/** The Tests tab of a stage: its golden test cases, runs with progress and results, comparison. */
export function StageTests({
  businessId,
  stageId,
  initialRunId = null,
}: {
  businessId: string;
  stageId: string;
  initialRunId?: string | null;
}) {
  const edit = useCan('content.edit');
  const cases = useTestCases(businessId, stageId);
  const runs = useTestRuns(businessId);
  const start = useStartTestRun(businessId);
  const del = useDeleteTestCase(businessId);
  const [editing, setEditing] = useState<TestCase | 'new' | null>(null);
  const [deleting, setDeleting] = useState<TestCase | null>(null);
  const [runId, setRunId] = useState<string | null>(initialRunId);
  const [model, setModel] = useState('');
  const [repeat, setRepeat] = useState('1');
  const [target, setTarget] = useState<'draft' | 'published'>('draft');
  const [compare, setCompare] = useState<string[]>([]);
  const run = useTestRun(businessId, runId);
  const stageRuns = (runs.data?.test_runs ?? []).filter((r) => r.stage_id === stageId);
  const list = cases.data?.test_cases ?? [];

  return (
    <Stack spacing={2}>
      <Paper sx={{ p: 2 }}>
        <Stack direction="row" spacing={1} useFlexGap sx={{ mb: 1, alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography variant="h3" component="h2" sx={{ flexGrow: 1 }}>
            Test cases
          </Typography>
          {edit.allowed && (
            <>
              <TextField
                select
                size="small"
                label="Against"
                value={target}
                onChange={(e) => setTarget(e.target.value as 'draft' | 'published')}
              >
                <MenuItem value="draft">Draft</MenuItem>
                <MenuItem value="published">Published</MenuItem>
              </TextField>
              <TextField
                size="small"
                label="Model"
                placeholder="business default"
                value={model}
                onChange={(e) => setModel(e.target.value)}
              />
              <TextField
                size="small"
                label="Repeat"
                type="number"
                value={repeat}
                onChange={(e) => setRepeat(e.target.value)}
                sx={{ width: 90 }}
                slotProps={{ htmlInput: { min: 1, max: 20 } }}
              />
              <Button
                variant="contained"
                startIcon={<PlayArrowIcon />}
                disabled={list.length === 0 || start.isPending}
                onClick={() =>
                  start.mutate(
                    {
                      stage_id: stageId,
                      target,
                      repeat: Math.max(1, Number(repeat) || 1),
                      ...(model.trim() ? { model: model.trim() } : {}),
                    },
                    { onSuccess: (r) => setRunId(r.test_run_id) },
                  )
                }
              >
                Run tests
              </Button>
              <Button onClick={() => setEditing('new')}>New test</Button>
            </>
          )}
        </Stack>
        <ErrorAlert error={start.error} showFieldErrors />
        {cases.isLoading ? (
          <Loading label="Loading test cases" />
        ) : list.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            No tests yet. Create one, or use “Add as test” on a turn in the simulator or a conversation.
          </Typography>
        ) : (
          <Table size="small" aria-label="Test cases">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>Message</TableCell>
                <TableCell>Checks</TableCell>
                <TableCell align="right">Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {list.map((c) => (
                <TableRow key={c.test_case_id}>
                  <TableCell>{c.name}</TableCell>
                  <TableCell>{c.message}</TableCell>
                  <TableCell>{summary(c)}</TableCell>
                  <TableCell align="right">
                    {edit.allowed && (
                      <>
                        <IconButton aria-label={`Edit ${c.name}`} onClick={() => setEditing(c)}>
                          <EditIcon fontSize="small" />
                        </IconButton>
                        <IconButton aria-label={`Delete ${c.name}`} onClick={() => setDeleting(c)}>
                          <DeleteIcon fontSize="small" />
                        </IconButton>
                      </>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Paper>

      {runId && <RunResults run={run.data} error={run.error} />}

      <Paper sx={{ p: 2 }}>
        <Stack direction="row" sx={{ mb: 1, alignItems: 'center' }}>
          <Typography variant="h3" component="h2" sx={{ flexGrow: 1 }}>
            Runs
          </Typography>
          <Typography variant="body2" color="text.secondary">
            Tick two runs to compare them
          </Typography>
        </Stack>
        {stageRuns.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            No runs of this stage’s tests yet.
          </Typography>
        ) : (
          <Table size="small" aria-label="Test runs">
            <TableHead>
              <TableRow>
                <TableCell padding="checkbox" />
                <TableCell>Started</TableCell>
                <TableCell>Against</TableCell>
                <TableCell>Model</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Passed</TableCell>
                <TableCell>Cost</TableCell>
                <TableCell />
              </TableRow>
            </TableHead>
            <TableBody>
              {stageRuns.map((r) => (
                <TableRow key={r.test_run_id} selected={r.test_run_id === runId}>
                  <TableCell padding="checkbox">
                    <Checkbox
                      size="small"
                      checked={compare.includes(r.test_run_id)}
                      slotProps={{
                        input: { 'aria-label': `Compare run of ${formatDateTime(r.created_at)}` },
                      }}
                      onChange={(e) =>
                        setCompare((cur) =>
                          e.target.checked
                            ? [...cur, r.test_run_id].slice(-2)
                            : cur.filter((id) => id !== r.test_run_id),
                        )
                      }
                    />
                  </TableCell>
                  <TableCell>{formatDateTime(r.created_at)}</TableCell>
                  <TableCell>
                    {typeof r.target === 'object' ? `release ${r.target.release}` : r.target}
                  </TableCell>
                  <TableCell>{r.model ?? 'default'}</TableCell>
                  <TableCell>{r.status}</TableCell>
                  <TableCell>
                    {r.passed}/{r.done} ({pct(r.pass_rate)})
                  </TableCell>
                  <TableCell>{formatCost(r.cost_usd)}</TableCell>
                  <TableCell>
                    <Button size="small" onClick={() => setRunId(r.test_run_id)}>
                      Show
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Paper>

      {compare.length === 2 && (
        <Comparison businessId={businessId} base={compare[0] as string} head={compare[1] as string} />
      )}

      {editing && (
        <TestCaseDialog
          businessId={businessId}
          open
          caseId={editing === 'new' ? undefined : editing.test_case_id}
          initial={
            editing === 'new' ? { stage_id: stageId, expectations: { stage: { mode: 'stays' } } } : editing
          }
          onClose={() => setEditing(null)}
        />
      )}
      <ConfirmDialog
        open={!!deleting}
        title="Delete test case?"
        message={`“${deleting?.name ?? ''}” is deleted; runs keep their results.`}
        pending={del.isPending}
        error={del.error}
        onClose={() => {
          setDeleting(null);
          del.reset();
        }}
        onConfirm={() =>
          deleting && del.mutate(deleting.test_case_id, { onSuccess: () => setDeleting(null) })
        }
      />
    </Stack>
  );
}

function RunResults({ run, error }: { run: TestRunDetail | undefined; error: unknown }) {
  if (error) return <ErrorAlert error={error} />;
  if (!run) return <Loading label="Loading run" />;
  const active = run.status === 'queued' || run.status === 'running';
  return (
    <Paper sx={{ p: 2 }} aria-label="Run results" component="section">
      <Typography variant="h3" component="h2" gutterBottom>
        Run {active ? `in progress (${run.done}/${run.total})` : run.status}
      </Typography>
      {active && (
        <LinearProgress
          variant="determinate"
          value={run.total ? (run.done / run.total) * 100 : 0}
          aria-label="Run progress"
        />
      )}
      {run.error && <ErrorAlert error={new Error(run.error)} />}
      <Typography variant="body2" sx={{ my: 1 }}>
        {run.passed} of {run.done} passed · pass rate {pct(run.pass_rate)} · cost {formatCost(run.cost_usd)} ·
        mean latency {formatMs(run.avg_latency_ms)}
      </Typography>
      {run.results.map((r) => (
        <Accordion key={`${r.test_case_id}:${r.iteration}`} disableGutters>
          <AccordionSummary expandIcon={<ExpandMoreIcon />}>
            <Stack direction="row" spacing={1} sx={{ width: '100%', alignItems: 'center' }}>
              <Chip size="small" color={r.passed ? 'success' : 'error'} label={r.passed ? 'pass' : 'fail'} />
              <Typography variant="body2" sx={{ fontWeight: 600 }}>
                {r.case_name}
                {run.repeat > 1 ? ` #${r.iteration}` : ''}
              </Typography>
              <Typography variant="body2" color="text.secondary" sx={{ flexGrow: 1 }} noWrap>
                {r.error ??
                  r.steps
                    .flatMap((s) => s.checks)
                    .filter((c) => !c.passed)
                    .map((c) => `${c.check}: ${c.reason}`)
                    .join('; ')}
              </Typography>
              <Typography variant="caption">
                {formatMs(r.latency_ms)} · {r.tokens_in + r.tokens_out} tokens · {formatCost(r.cost_usd)}
              </Typography>
            </Stack>
          </AccordionSummary>
          <AccordionDetails>
            <Typography variant="body2" sx={{ mb: 1 }}>
              Reply: “{r.reply}”
            </Typography>
            {r.steps.map((s) => (
              <Box key={s.step} sx={{ mb: 2 }}>
                <Typography variant="subtitle2">
                  {STEP_LABELS[s.step] ?? s.step}{' '}
                  {s.passed !== null && (
                    <Chip
                      size="small"
                      color={s.passed ? 'success' : 'error'}
                      label={s.passed ? 'pass' : 'fail'}
                    />
                  )}{' '}
                  <Typography component="span" variant="caption" color="text.secondary">
                    {s.skipped ? 'skipped · ' : ''}
                    {s.model ?? ''} · {formatMs(s.latency_ms)} · {s.tokens_in}/{s.tokens_out} tokens ·{' '}
                    {formatCost(s.cost_usd)}
                  </Typography>
                </Typography>
                {s.checks.map((c) => (
                  <Typography key={c.check} variant="body2" color={c.passed ? 'text.primary' : 'error'}>
                    {c.passed ? '✓' : '✗'} {c.check}: {c.reason}
                  </Typography>
                ))}
                {s.error && (
                  <Typography variant="body2" color="error">
                    {s.error}
                  </Typography>
                )}
                {s.prompt && (
                  <CodeBlock label={`${STEP_LABELS[s.step]} prompt`} maxHeight={200}>
                    {s.prompt}
                  </CodeBlock>
                )}
                {s.answer && (
                  <CodeBlock label={`${STEP_LABELS[s.step]} answer`} maxHeight={120}>
                    {s.answer}
                  </CodeBlock>
                )}
              </Box>
            ))}
            {Object.keys(r.extracted_data).length > 0 && (
              <CodeBlock label="Extracted">{prettyJson(r.extracted_data)}</CodeBlock>
            )}
          </AccordionDetails>
        </Accordion>
      ))}
    </Paper>
  );
}

function Comparison({ businessId, base, head }: { businessId: string; base: string; head: string }) {
  const cmp = useCompareTestRuns(businessId, base, head);
  if (cmp.error) return <ErrorAlert error={cmp.error} />;
  if (!cmp.data) return <Loading label="Comparing runs" />;
  const c = cmp.data;
  return (
    <Paper sx={{ p: 2 }} component="section" aria-label="Run comparison">
      <Typography variant="h3" component="h2" gutterBottom>
        Comparison
      </Typography>
      <Typography variant="body2" sx={{ mb: 1 }}>
        {formatDateTime(c.base.created_at)} → {formatDateTime(c.head.created_at)}: {c.fixed} fixed, {c.broken}{' '}
        broken · cost {c.cost_delta_usd >= 0 ? '+' : ''}
        {formatCost(c.cost_delta_usd)} · latency{' '}
        {c.avg_latency_delta_ms === null
          ? '–'
          : `${c.avg_latency_delta_ms >= 0 ? '+' : ''}${formatMs(c.avg_latency_delta_ms)}`}
      </Typography>
      <Table size="small" aria-label="Cases compared">
        <TableHead>
          <TableRow>
            <TableCell>Case</TableCell>
            <TableCell>Before</TableCell>
            <TableCell>After</TableCell>
            <TableCell>Change</TableCell>
            <TableCell>Reply diff</TableCell>
            <TableCell>Cost Δ</TableCell>
            <TableCell>Latency Δ</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {c.cases.map((k) => (
            <TableRow key={k.test_case_id}>
              <TableCell>
                {k.case_name}
                {k.head_failures.map((f) => (
                  <Typography key={f} variant="caption" color="error" sx={{ display: 'block' }}>
                    {f}
                  </Typography>
                ))}
              </TableCell>
              <TableCell>{pct(k.base_pass_rate)}</TableCell>
              <TableCell>{pct(k.head_pass_rate)}</TableCell>
              <TableCell>
                <Chip
                  size="small"
                  label={k.change}
                  color={k.change === 'broken' ? 'error' : k.change === 'fixed' ? 'success' : 'default'}
                />
              </TableCell>
              <TableCell>
                {k.reply_diff.map((d, i) => (
                  <Box
                    // biome-ignore lint/suspicious/noArrayIndexKey: diff parts have no identity but their place
                    key={i}
                    component={d.op === 'added' ? 'ins' : d.op === 'removed' ? 'del' : 'span'}
                    sx={{
                      bgcolor:
                        d.op === 'added' ? 'success.light' : d.op === 'removed' ? 'error.light' : undefined,
                    }}
                  >
                    {d.text}
                  </Box>
                ))}
              </TableCell>
              <TableCell>{formatCost(k.cost_delta_usd)}</TableCell>
              <TableCell>{formatMs(k.latency_delta_ms)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Paper>
  );
}
