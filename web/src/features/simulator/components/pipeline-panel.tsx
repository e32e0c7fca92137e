import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Alert,
  Box,
  Chip,
  Paper,
  Stack,
  Typography,
} from '@mui/material';
import { CodeBlock } from '@/components/code-block';
import type { ProcessingStep } from '@/lib/api/models';
import { formatMs, formatValue, prettyJson } from '@/lib/format';
import type { SimTurn } from './simulator-state';

const STEP_LABELS: Record<string, string> = {
  stage_selection: 'Stage selection',
  data_extraction: 'Data extraction',
  response_generation: 'Response generation',
};

/** What the pipeline did for one turn: the stage it chose, the facts, and every LLM call. */
export function PipelinePanel({
  turn,
  stageName,
}: {
  turn: SimTurn | null;
  stageName: (id?: string | null) => string | null;
}) {
  if (!turn) {
    return (
      <Paper sx={{ p: 2 }}>
        <Typography variant="h3" component="h2" gutterBottom>
          Pipeline
        </Typography>
        <Typography variant="body2" color="text.secondary">
          Send a message: each turn’s stage selection, extracted facts and LLM calls appear here as they
          happen.
        </Typography>
      </Paper>
    );
  }
  const facts = Object.entries(turn.extracted ?? {});
  return (
    <Paper sx={{ p: 2 }} aria-label="Pipeline" role="region" aria-live="polite">
      <Typography variant="h3" component="h2" gutterBottom>
        Pipeline · turn {turn.index}
      </Typography>
      <Stack spacing={1.5}>
        <Box role="group" aria-label="Stage chosen">
          <Typography variant="subtitle2">Stage</Typography>
          {turn.stage ? (
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
              {turn.stage.previous_stage_id && turn.stage.previous_stage_id !== turn.stage.stage_id && (
                <>
                  <Chip
                    size="small"
                    variant="outlined"
                    label={stageName(turn.stage.previous_stage_id) ?? 'previous'}
                  />
                  <span aria-hidden>→</span>
                </>
              )}
              <Chip
                size="small"
                color="primary"
                label={turn.stage.stage_name || stageName(turn.stage.stage_id) || turn.stage.stage_id}
              />
              {turn.stage.previous_stage_id === turn.stage.stage_id && (
                <Typography variant="caption" color="text.secondary">
                  (unchanged)
                </Typography>
              )}
            </Stack>
          ) : (
            <Typography variant="body2" color="text.secondary">
              {turn.status === 'streaming' ? 'Choosing…' : '—'}
            </Typography>
          )}
        </Box>
        <Box>
          <Typography variant="subtitle2">Extracted facts</Typography>
          {facts.length === 0 ? (
            <Typography variant="body2" color="text.secondary">
              {turn.status === 'streaming' && !turn.extracted ? 'Extracting…' : 'None'}
            </Typography>
          ) : (
            <Box
              sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}
              aria-label="Extracted facts"
              role="group"
            >
              {facts.map(([k, v]) => (
                <Chip
                  key={k}
                  size="small"
                  color="secondary"
                  variant="outlined"
                  label={`${k}: ${formatValue(v)}`}
                />
              ))}
            </Box>
          )}
        </Box>
        {turn.fallback && (
          <Alert severity="warning">
            The model failed or is not configured: the fallback reply was sent.
          </Alert>
        )}
        {turn.aiStopped && (
          <Alert severity="info">
            The AI is stopped for this conversation: the message was stored, no reply.
          </Alert>
        )}
        <Box>
          <Typography variant="subtitle2">LLM calls</Typography>
          {turn.steps.length === 0 ? (
            <Typography variant="body2" color="text.secondary">
              {turn.status === 'streaming' ? 'Waiting…' : 'None'}
            </Typography>
          ) : (
            turn.steps.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: steps arrive in order and never reorder
              <StepAccordion key={i} step={s} />
            ))
          )}
        </Box>
      </Stack>
    </Paper>
  );
}

function StepAccordion({ step }: { step: ProcessingStep }) {
  return (
    <Accordion disableGutters variant="outlined" sx={{ mt: 0.5, '&:before': { display: 'none' } }}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 0.5 }}>
          <Typography variant="body2" sx={{ fontWeight: 600 }}>
            {STEP_LABELS[step.step] ?? step.step}
          </Typography>
          {step.skipped ? (
            <Chip size="small" label="skipped" />
          ) : (
            <Chip size="small" label={formatMs(step.latency_ms)} />
          )}
          {step.template_name && <Chip size="small" variant="outlined" label={step.template_name} />}
          {step.engine === 'offline' && (
            <Chip size="small" color="warning" variant="outlined" label="offline engine" />
          )}
          {step.reused && <Chip size="small" variant="outlined" label="reused" />}
          {(step.tokens_in ?? step.tokens_out) !== undefined && step.tokens_in !== null && (
            <Chip
              size="small"
              variant="outlined"
              label={`${step.tokens_in ?? '—'} → ${step.tokens_out ?? '—'} tokens`}
            />
          )}
          {step.error && <Chip size="small" color="error" label="error" />}
        </Stack>
      </AccordionSummary>
      <AccordionDetails>
        <Stack spacing={1}>
          {step.error && <Alert severity="error">{step.error}</Alert>}
          {step.system_prompt && (
            <>
              <Typography variant="caption">System prompt</Typography>
              <CodeBlock label="System prompt">{step.system_prompt}</CodeBlock>
            </>
          )}
          <Typography variant="caption">Prompt</Typography>
          <CodeBlock label="Prompt">{step.prompt ?? '—'}</CodeBlock>
          <Typography variant="caption">Answer</Typography>
          <CodeBlock label="Answer">{step.response ? prettyJson(step.response) : '—'}</CodeBlock>
        </Stack>
      </AccordionDetails>
    </Accordion>
  );
}
