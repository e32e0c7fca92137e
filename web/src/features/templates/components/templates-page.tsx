import AddIcon from '@mui/icons-material/Add';
import { Button, Chip, Link, MenuItem, Stack, TableCell, TableRow, TextField } from '@mui/material';
import { useMemo, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { DisabledReason } from '@/components/disabled-reason';
import { EmptyState } from '@/components/empty-state';
import { ListView } from '@/components/list-view';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { useStages } from '@/lib/api/stages/list-stages';
import { type TemplateFilters, useTemplates } from '@/lib/api/templates/list-templates';
import { useCan } from '@/lib/auth/permissions';
import { formatDateTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import { TEMPLATE_TYPE_LABELS, TEMPLATE_TYPES, type TemplateType } from '@/lib/template-types';
import { useUrlFilters } from '@/lib/use-url-filters';

export function TemplatesPage() {
  return (
    <RequireBusiness>
      {(businessId) => <Templates key={businessId} businessId={businessId} />}
    </RequireBusiness>
  );
}

function Templates({ businessId }: { businessId: string }) {
  const { get, update } = useUrlFilters();
  const filters: TemplateFilters = {
    template_type: get('type') as TemplateType | '',
    is_default: get('default') as 'true' | 'false' | '',
  };
  const [search, setSearch] = useState('');
  const edit = useCan('content.edit');
  const templates = useTemplates(businessId, filters);
  const stages = useStages(businessId);

  const usage = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const s of stages.data?.stages ?? []) {
      for (const id of [
        s.stage_selection_template_id,
        s.data_extraction_template_id,
        s.response_generation_template_id,
      ]) {
        m.set(id, [...(m.get(id) ?? []), s.stage_name]);
      }
    }
    return m;
  }, [stages.data]);

  const rows = (templates.data?.templates ?? []).filter(
    (t) => !search.trim() || t.template_name.toLowerCase().includes(search.trim().toLowerCase()),
  );

  return (
    <>
      <PageHeader
        title="Templates"
        subtitle="The prompts behind every stage: selection, extraction and response, plus the defaults new stages copy."
        actions={
          <DisabledReason reason={edit.reason}>
            <Button
              component={RouterLink}
              to={paths.templateNew()}
              variant="contained"
              startIcon={<AddIcon />}
              disabled={!edit.allowed}
            >
              New template
            </Button>
          </DisabledReason>
        }
      />
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1.5} sx={{ mb: 2 }}>
        <TextField
          select
          label="Type"
          value={filters.template_type}
          onChange={(e) => update({ type: e.target.value })}
          sx={{ minWidth: 240 }}
        >
          <MenuItem value="">All types</MenuItem>
          {TEMPLATE_TYPES.map((t) => (
            <MenuItem key={t} value={t}>
              {TEMPLATE_TYPE_LABELS[t]}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          label="Default"
          value={filters.is_default}
          onChange={(e) => update({ default: e.target.value })}
          sx={{ minWidth: 150 }}
        >
          <MenuItem value="">All</MenuItem>
          <MenuItem value="true">Defaults only</MenuItem>
          <MenuItem value="false">Not defaults</MenuItem>
        </TextField>
        <TextField
          label="Search by name"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          type="search"
        />
      </Stack>
      <ListView
        query={templates}
        label="Templates"
        empty={
          rows.length === 0 && (
            <EmptyState
              title={
                filters.template_type || filters.is_default || search
                  ? 'No template matches these filters'
                  : 'No templates yet'
              }
              description={
                filters.template_type || filters.is_default || search
                  ? 'Clear the filters to see every template.'
                  : 'Creating a business creates its default templates; create a template to customise a stage.'
              }
              action={
                edit.allowed ? (
                  <Button component={RouterLink} to={paths.templateNew()} variant="contained">
                    New template
                  </Button>
                ) : undefined
              }
            />
          )
        }
        head={
          <>
            <TableCell>Name</TableCell>
            <TableCell>Type</TableCell>
            <TableCell sx={{ display: { xs: 'none', md: 'table-cell' } }}>Used by</TableCell>
            <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>Updated</TableCell>
          </>
        }
      >
        {rows.map((t) => (
          <TableRow key={t.template_id} hover>
            <TableCell>
              <Link component={RouterLink} to={paths.template(t.template_id)} sx={{ fontWeight: 600 }}>
                {t.template_name}
              </Link>
              {t.is_default && <Chip size="small" label="default" sx={{ ml: 1 }} />}
            </TableCell>
            <TableCell>{TEMPLATE_TYPE_LABELS[t.template_type] ?? t.template_type}</TableCell>
            <TableCell sx={{ display: { xs: 'none', md: 'table-cell' } }}>
              {(usage.get(t.template_id) ?? []).join(', ') || '—'}
            </TableCell>
            <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>
              {formatDateTime(t.updated_at ?? t.created_at)}
            </TableCell>
          </TableRow>
        ))}
      </ListView>
    </>
  );
}
