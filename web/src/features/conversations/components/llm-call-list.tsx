import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import { Accordion, AccordionDetails, AccordionSummary, Box, Chip, Stack, Typography } from '@mui/material';
import { CodeBlock } from '@/components/code-block';
import type { LlmCall } from '@/lib/api/models';
import { callLabel, formatCost, formatMs, prettyJson } from '@/lib/format';

/** The LLM calls of one turn, each expandable to its prompt, answer and costs. */
export function LlmCallList({ calls }: { calls: LlmCall[] }) {
  if (calls.length === 0) return null;
  return (
    <Box sx={{ mt: 0.5 }}>
      {calls.map((c) => (
        <Accordion
          key={c.llm_call_id}
          disableGutters
          variant="outlined"
          sx={{ '&:before': { display: 'none' }, mt: 0.5 }}
        >
          <AccordionSummary
            expandIcon={<ExpandMoreIcon />}
            aria-controls={`${c.llm_call_id}-body`}
            id={`${c.llm_call_id}-head`}
          >
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 0.5 }}>
              <Typography variant="body2" sx={{ fontWeight: 600 }}>
                {callLabel(c.call_type)}
              </Typography>
              <Chip size="small" label={formatMs(c.latency_ms)} />
              <Chip
                size="small"
                variant="outlined"
                label={`${c.tokens_in ?? '—'} → ${c.tokens_out ?? '—'} tokens`}
              />
              {c.cost_usd !== null && c.cost_usd !== undefined && (
                <Chip size="small" variant="outlined" label={formatCost(c.cost_usd)} />
              )}
              {c.status && c.status !== 'success' && c.status !== 'ok' && (
                <Chip
                  size="small"
                  color={
                    /error|fail|timeout/i.test(c.status)
                      ? 'error'
                      : c.status === 'discarded'
                        ? 'default'
                        : 'warning'
                  }
                  variant="outlined"
                  label={c.status}
                  title={
                    c.status === 'discarded'
                      ? c.call_type === 'response_generation'
                        ? 'Reply started speculatively alongside stage selection; the stage changed (or selection failed), so it was not used'
                        : 'Extraction started speculatively for the previous stage; the stage changed, so it was not used'
                      : undefined
                  }
                />
              )}
            </Stack>
          </AccordionSummary>
          <AccordionDetails>
            <Stack spacing={1}>
              <Typography variant="caption" color="text.secondary">
                {[c.provider, c.model].filter(Boolean).join(' · ') || 'model unknown'}
              </Typography>
              {c.error && <CodeBlock label="Error">{c.error}</CodeBlock>}
              {c.error_detail && (
                <CodeBlock label="Provider detail (operator only)">{c.error_detail}</CodeBlock>
              )}
              {c.system_prompt && (
                <>
                  <Typography variant="subtitle2">System prompt</Typography>
                  <CodeBlock label="System prompt">{c.system_prompt}</CodeBlock>
                </>
              )}
              <Typography variant="subtitle2">Prompt</Typography>
              <CodeBlock label="Prompt">{c.prompt}</CodeBlock>
              <Typography variant="subtitle2">Answer</Typography>
              <CodeBlock label="Answer">{c.response ? prettyJson(c.response) : '—'}</CodeBlock>
            </Stack>
          </AccordionDetails>
        </Accordion>
      ))}
    </Box>
  );
}
