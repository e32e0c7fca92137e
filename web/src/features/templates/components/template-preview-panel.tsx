import { Alert, Box, Chip, LinearProgress, Stack, Typography } from '@mui/material';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { memo, useMemo } from 'react';
import { CodeBlock } from '@/components/code-block';
import { ErrorAlert } from '@/components/error-alert';
import type { RenderResult, TemplateVariable } from '@/lib/api/models';
import { qk } from '@/lib/api/query-keys';
import { renderTemplate } from '@/lib/api/templates/render-template';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { type PreviewContext, previewBody } from './preview-context';

/** Server-side rendering of the draft against the chosen context, refreshed as you type. Memoised: give it stable props. */
export const TemplatePreviewPanel = memo(function TemplatePreviewPanel({
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
  // Memoised so that the debounce below restarts only when the request would change.
  const body = useMemo(
    () => ({
      ...previewBody(ctx, used, catalogue),
      ...(sendDraft ? { content, system_prompt: systemPrompt } : {}),
    }),
    [ctx, used, catalogue, sendDraft, content, systemPrompt],
  );
  const debounced = useDebouncedValue(body, 400);
  const waitingForConversation = ctx.source === 'conversation' && !ctx.conversationId;
  const render = useQuery({
    queryKey: qk.templates.render(businessId, templateId, debounced),
    queryFn: ({ signal }) => renderTemplate(businessId, templateId as string, debounced, signal),
    enabled: !!templateId && !waitingForConversation,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });

  if (!templateId) return <Alert severity="info">Save the template once to preview it.</Alert>;
  if (waitingForConversation) return <Alert severity="info">Choose a conversation to render against.</Alert>;
  const r = render.data;
  return (
    <Stack spacing={1.5} aria-live="polite">
      <Box sx={{ height: 4 }}>{render.isFetching && <LinearProgress aria-label="Rendering preview" />}</Box>
      <ErrorAlert error={render.error} />
      {sendDraft && !render.data?.draftIgnored && (
        <Typography variant="caption" color="text.secondary">
          Preview of your unsaved draft.
        </Typography>
      )}
      {render.data?.draftIgnored && (
        <Alert severity="info">
          This server previews saved templates only: save to see your changes rendered.
        </Alert>
      )}
      {r && <RenderedPreview r={r} />}
    </Stack>
  );
});

/** The rendered result; memoised so that typing (which re-renders the panel) does not re-render it. */
const RenderedPreview = memo(function RenderedPreview({ r }: { r: RenderResult }) {
  return (
    <>
      {r.missing_variables.length > 0 && (
        <Alert severity="warning">
          No value for: {r.missing_variables.map((v) => `{{${v}}}`).join(', ')}
        </Alert>
      )}
      {r.rendered_system_prompt ? (
        <Box>
          <Typography variant="subtitle2" gutterBottom>
            System prompt
          </Typography>
          <CodeBlock label="Rendered system prompt">{r.rendered_system_prompt}</CodeBlock>
        </Box>
      ) : null}
      <Box>
        <Typography variant="subtitle2" gutterBottom>
          Prompt
        </Typography>
        <CodeBlock label="Rendered prompt" maxHeight={480}>
          {r.rendered_content}
        </CodeBlock>
      </Box>
      {r.variables_used.length > 0 && (
        <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}>
          {r.variables_used.map((v) => (
            <Chip key={v} size="small" label={v} variant="outlined" />
          ))}
        </Box>
      )}
    </>
  );
});
