import { Box, Grid, Paper, Tab, Tabs } from '@mui/material';
import { memo, useDeferredValue, useState } from 'react';
import type { Template, TemplateVariable } from '@/lib/api/models';
import { initialPreviewContext, type PreviewContext, PreviewContextForm } from './preview-context';
import { TemplateHistoryPanel } from './template-history-panel';
import { TemplatePreviewPanel } from './template-preview-panel';
import { TemplateTestPanel } from './template-test-panel';

export interface ToolsDraft {
  content: string;
  systemPrompt: string;
  /** The editor differs from the saved template: preview and test the draft text. */
  sendDraft: boolean;
  used: string[];
}

interface TemplateToolsProps {
  businessId: string;
  template: Template | undefined;
  draft: ToolsDraft;
  catalogue: readonly TemplateVariable[];
  onRestored: () => void;
}

/**
 * Preview, test run and history below the editor. They follow the draft through useDeferredValue: on a
 * keystroke the urgent render stops here, and the tools re-render in a separate, interruptible render.
 */
export const TemplateTools = memo(function TemplateTools({ draft, ...rest }: TemplateToolsProps) {
  const deferred = useDeferredValue(draft);
  return <TemplateToolsContent draft={deferred} {...rest} />;
});

const TemplateToolsContent = memo(function TemplateToolsContent({
  businessId,
  template,
  draft: { content, systemPrompt, sendDraft, used },
  catalogue,
  onRestored,
}: TemplateToolsProps) {
  const [tab, setTab] = useState<ToolTab>('preview');
  const [ctx, setCtx] = useState<PreviewContext>(initialPreviewContext);
  return (
    <Paper sx={{ mt: 2 }}>
      <TemplateToolTabs tab={tab} onChange={setTab} historyDisabled={!template} />
      <Box sx={{ p: { xs: 1.5, sm: 2 } }}>
        {tab !== 'history' && (
          <Grid container spacing={2}>
            <Grid size={{ xs: 12, lg: 4 }}>
              <PreviewContextForm
                businessId={businessId}
                ctx={ctx}
                onChange={setCtx}
                used={used}
                catalogue={catalogue}
              />
            </Grid>
            <Grid size={{ xs: 12, lg: 8 }}>
              {tab === 'preview' ? (
                <TemplatePreviewPanel
                  businessId={businessId}
                  templateId={template?.template_id}
                  content={content}
                  systemPrompt={systemPrompt}
                  sendDraft={sendDraft}
                  used={used}
                  catalogue={catalogue}
                  ctx={ctx}
                />
              ) : (
                <TemplateTestPanel
                  businessId={businessId}
                  templateId={template?.template_id}
                  content={content}
                  systemPrompt={systemPrompt}
                  sendDraft={sendDraft}
                  used={used}
                  catalogue={catalogue}
                  ctx={ctx}
                />
              )}
            </Grid>
          </Grid>
        )}
        {tab === 'history' && template && (
          <TemplateHistoryPanel
            businessId={businessId}
            template={template}
            draftContent={content}
            onRestored={onRestored}
          />
        )}
      </Box>
    </Paper>
  );
});

type ToolTab = 'preview' | 'test' | 'history';

/** MUI Tabs measure their indicator (a forced layout) on every render: render them only when the tab changes. */
const TemplateToolTabs = memo(function TemplateToolTabs({
  tab,
  onChange,
  historyDisabled,
}: {
  tab: ToolTab;
  onChange: (tab: ToolTab) => void;
  historyDisabled: boolean;
}) {
  return (
    <Tabs value={tab} onChange={(_, v) => onChange(v)} aria-label="Template tools" variant="scrollable">
      <Tab value="preview" label="Preview" />
      <Tab value="test" label="Test run" />
      <Tab value="history" label="History" disabled={historyDisabled} />
    </Tabs>
  );
});
