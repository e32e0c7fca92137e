import { Box, Button, Paper, Stack, Typography } from '@mui/material';
import { type ReactNode, useId, useState } from 'react';
import { visuallyHidden } from '@/components/visually-hidden';

/**
 * A chart with its text alternative. The figure is labelled for assistive technology, `summary` is
 * read as its description, and `table` holds every number: visually hidden until "Show as table".
 */
export function ChartFigure({
  title,
  label,
  summary,
  table,
  tableAlwaysVisible = false,
  children,
}: {
  title: string;
  label: string;
  summary?: ReactNode;
  table?: ReactNode;
  tableAlwaysVisible?: boolean;
  children: ReactNode;
}) {
  const id = useId();
  const [showTable, setShowTable] = useState(false);
  const tableVisible = tableAlwaysVisible || showTable;
  return (
    <Paper component="section" aria-labelledby={`${id}-title`} sx={{ p: 2, minWidth: 0 }}>
      <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between', mb: 1, gap: 1 }}>
        <Typography variant="h2" id={`${id}-title`}>
          {title}
        </Typography>
        {table && !tableAlwaysVisible && (
          <Button size="small" onClick={() => setShowTable((v) => !v)} aria-expanded={showTable}>
            {showTable ? 'Hide table' : 'Show as table'}
          </Button>
        )}
      </Stack>
      <Box
        component="figure"
        role="figure"
        aria-label={label}
        aria-describedby={summary ? `${id}-summary` : undefined}
        sx={{ m: 0 }}
      >
        {children}
        {summary && (
          <Typography
            component="figcaption"
            id={`${id}-summary`}
            variant="body2"
            color="text.secondary"
            sx={{ mt: 1 }}
          >
            {summary}
          </Typography>
        )}
      </Box>
      {table && <Box sx={tableVisible ? { mt: 2, overflowX: 'auto' } : visuallyHidden}>{table}</Box>}
    </Paper>
  );
}
