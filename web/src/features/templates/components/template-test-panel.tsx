import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { Alert, Box, Button, Chip, CircularProgress, Stack, Typography } from '@mui/material';
import { memo } from 'react';
import { CodeBlock } from '@/components/code-block';
import { ErrorAlert } from '@/components/error-alert';
import type { TemplateTestResult, TemplateVariable } from '@/lib/api/models';
import { useTestTemplate } from '@/lib/api/templates/test-template';
import { formatCost, formatMs, prettyJson } from '@/lib/format';
import { useRuntime } from '@/lib/runtime';
import { type PreviewContext, previewBody } from './preview-context';

/** Runs the draft through the LLM once and shows everything the model saw and said. Memoised: give it stable props. */
export const TemplateTestPanel = memo(function TemplateTestPanel({
  businessId,
  templateId,
  content,
  systemPrompt,
  sendDraft,
  used,
  catalogue,
  ctx,
}: {
  businessId: string;
  templateId: string | undefined;
  content: string;
  systemPrompt: string;
  /** The editor differs from the saved template: render the draft text instead of the stored one. */
  sendDraft: boolean;
  used: string[];
  catalogue: readonly TemplateVariable[];
  ctx: PreviewContext;
}) {
  const test = useTestTemplate(businessId, templateId ?? '');
  const runtime = useRuntime();
  if (!templateId) return <Alert severity="info">Save the template once to test it.</Alert>;
  const r = test.data;
  return (
    <Stack spacing={1.5}>
      {runtime.data?.llm_mode === 'offline' && (
        <Alert severity="info">No LLM is configured: the offline engine answers test runs.</Alert>
      )}
      <Box>
        <Button
          variant="contained"
          startIcon={test.isPending ? <CircularProgress size={16} color="inherit" /> : <PlayArrowIcon />}
          disabled={test.isPending || (ctx.source === 'conversation' && !ctx.conversationId)}
          onClick={() =>
            test.mutate({
              ...previewBody(ctx, used, catalogue),
              ...(sendDraft ? { content, system_prompt: systemPrompt } : {}),
            })
          }
        >
          Run test
        </Button>
      </Box>
      <ErrorAlert error={test.error} />
      {r && <TestResult r={r} />}
    </Stack>
  );
});

/** The run's result; memoised so that typing (which re-renders the panel) does not re-render it. */
const TestResult = memo(function TestResult({ r }: { r: TemplateTestResult }) {
  const raw = r.raw_response;
  const parsed = r.parsed_response;
  return (
    <Stack spacing={1.5} aria-live="polite">
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
        <Chip size="small" label={`Latency ${formatMs(r.latency_ms)}`} />
        <Chip size="small" label={`Tokens in ${r.tokens_in ?? '—'}`} />
        <Chip size="small" label={`Tokens out ${r.tokens_out ?? '—'}`} />
        {r.model && <Chip size="small" label={r.model} variant="outlined" />}
        {r.cost_usd !== undefined && r.cost_usd !== null && (
          <Chip size="small" label={formatCost(r.cost_usd)} variant="outlined" />
        )}
      </Box>
      {r.error && <Alert severity="error">{r.error}</Alert>}
      <Section title="Rendered prompt">{r.rendered_prompt}</Section>
      {r.rendered_system_prompt && (
        <Section title="Rendered system prompt">{r.rendered_system_prompt}</Section>
      )}
      <Section title="Raw answer">{raw ?? '—'}</Section>
      {parsed !== undefined && parsed !== null && (
        <Section title="Parsed answer">{prettyJson(parsed)}</Section>
      )}
    </Stack>
  );
});

function Section({ title, children }: { title: string; children: string }) {
  return (
    <Box>
      <Typography variant="subtitle2" gutterBottom>
        {title}
      </Typography>
      <CodeBlock label={title}>{children}</CodeBlock>
    </Box>
  );
}
