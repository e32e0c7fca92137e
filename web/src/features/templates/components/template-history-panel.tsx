import RestoreIcon from '@mui/icons-material/Restore';
import { Alert, Button, List, ListItemButton, ListItemText, Stack, Typography } from '@mui/material';
import { memo, useMemo, useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { DisabledReason } from '@/components/disabled-reason';
import { ErrorAlert } from '@/components/error-alert';
import { LineDiffView } from '@/components/line-diff-view';
import { Loading } from '@/components/loading';
import type { Template } from '@/lib/api/models';
import { useRestoreTemplateVersion } from '@/lib/api/templates/restore-template-version';
import { useTemplateVersions } from '@/lib/api/templates/template-versions';
import { useCan } from '@/lib/auth/permissions';
import { formatDateTime } from '@/lib/format';
import { diffLines } from '@/lib/line-diff';

/** Every saved version; pick one to see its diff against the editor, and restore it. Memoised: give it stable props. */
export const TemplateHistoryPanel = memo(function TemplateHistoryPanel({
  businessId,
  template,
  draftContent,
  onRestored,
}: {
  businessId: string;
  template: Template;
  draftContent: string;
  onRestored: () => void;
}) {
  const versions = useTemplateVersions(businessId, template.template_id);
  const restore = useRestoreTemplateVersion(businessId, template.template_id);
  const [selected, setSelected] = useState<number | null>(null);
  const [confirm, setConfirm] = useState(false);
  const edit = useCan('content.edit');

  const list = useMemo(
    () => [...(versions.data?.versions ?? [])].sort((a, b) => b.version - a.version),
    [versions.data],
  );
  const version = list.find((v) => v.version === selected) ?? null;
  const diff = useMemo(
    () => (version ? diffLines(version.content, draftContent) : []),
    [version, draftContent],
  );
  const changes = diff.filter((d) => d.kind !== 'same').length;

  if (versions.isLoading) return <Loading label="Loading versions" />;
  if (versions.error) return <ErrorAlert error={versions.error} onRetry={() => versions.refetch()} />;
  if (list.length === 0) return <Alert severity="info">No earlier versions yet. Each save keeps one.</Alert>;

  return (
    <Stack spacing={1.5}>
      <List
        dense
        aria-label="Versions"
        sx={{ maxHeight: 220, overflow: 'auto', border: 1, borderColor: 'divider', borderRadius: 1 }}
      >
        {list.map((v) => (
          <ListItemButton
            key={v.version}
            selected={v.version === selected}
            onClick={() => setSelected(v.version)}
          >
            <ListItemText
              primary={`Version ${v.version}`}
              secondary={`${formatDateTime(v.created_at)} · ${v.template_name}`}
            />
          </ListItemButton>
        ))}
      </List>
      {version && (
        <>
          <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between' }}>
            <Typography variant="subtitle2">
              Version {version.version} → editor ({changes === 0 ? 'identical' : `${changes} changed lines`})
            </Typography>
            <DisabledReason reason={edit.reason}>
              <Button
                size="small"
                variant="outlined"
                startIcon={<RestoreIcon />}
                onClick={() => setConfirm(true)}
                disabled={!edit.allowed}
              >
                Restore version {version.version}
              </Button>
            </DisabledReason>
          </Stack>
          <LineDiffView
            before={version.content}
            after={draftContent}
            label={`Diff of version ${version.version}`}
          />
        </>
      )}
      <ConfirmDialog
        open={confirm}
        title={`Restore version ${version?.version}?`}
        message="The template's content and system prompt become those of this version. The current content is kept as a new version, so nothing is lost. Unsaved edits in the editor are discarded."
        confirmLabel="Restore"
        destructive={false}
        pending={restore.isPending}
        error={restore.error}
        onClose={() => setConfirm(false)}
        onConfirm={() =>
          version &&
          restore.mutate(version.version, {
            onSuccess: () => {
              setConfirm(false);
              setSelected(null);
              onRestored();
              versions.refetch();
            },
          })
        }
      />
    </Stack>
  );
});
