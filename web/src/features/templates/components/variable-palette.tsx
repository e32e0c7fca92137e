import { Box, Chip, List, ListSubheader, Paper, Tooltip, Typography } from '@mui/material';
import { memo, useMemo } from 'react';
import type { TemplateVariable } from '@/lib/api/models';
import { monoFont } from '@/theme/theme';

/** All built-in variables by category; hover for description and example, click to insert. Memoised: give it stable props. */
export const VariablePalette = memo(function VariablePalette({
  variables,
  used,
  onInsert,
}: {
  variables: readonly TemplateVariable[];
  used: ReadonlySet<string>;
  onInsert: (name: string) => void;
}) {
  const groups = useMemo(() => {
    const byCategory = new Map<string, TemplateVariable[]>();
    for (const v of variables) byCategory.set(v.category, [...(byCategory.get(v.category) ?? []), v]);
    return byCategory;
  }, [variables]);
  return (
    // A named region (a name on a plain <div> is not announced reliably).
    <Paper
      component="section"
      sx={{ p: 1, maxHeight: { md: '75vh' }, overflow: 'auto' }}
      aria-label="Variables"
    >
      <Typography variant="subtitle2" sx={{ px: 1, pt: 0.5 }}>
        Variables
      </Typography>
      <Typography variant="caption" color="text.secondary" sx={{ px: 1, display: 'block' }}>
        Click to insert at the cursor. Facts extracted in a conversation are variables too.
      </Typography>
      <List dense disablePadding>
        {[...groups.entries()].map(([category, vars]) => (
          <Box key={category} component="li" sx={{ listStyle: 'none' }}>
            <ListSubheader
              component="div"
              disableSticky
              sx={{ lineHeight: '28px', textTransform: 'capitalize', bgcolor: 'transparent' }}
            >
              {category}
            </ListSubheader>
            <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5, px: 1, pb: 1 }}>
              {vars.map((v) => (
                <Tooltip
                  key={v.name}
                  placement="left"
                  title={
                    <Box>
                      <div>{v.description}</div>
                      <Box
                        component="pre"
                        sx={{
                          m: 0,
                          mt: 0.5,
                          whiteSpace: 'pre-wrap',
                          fontFamily: monoFont,
                          fontSize: 11,
                          opacity: 0.85,
                        }}
                      >
                        e.g. {v.example}
                      </Box>
                    </Box>
                  }
                >
                  <Chip
                    size="small"
                    label={v.name}
                    aria-label={`Insert variable ${v.name}`}
                    color={used.has(v.name) ? 'primary' : 'default'}
                    variant={used.has(v.name) ? 'filled' : 'outlined'}
                    onClick={() => onInsert(v.name)}
                    sx={{ fontFamily: monoFont, fontSize: 12 }}
                  />
                </Tooltip>
              ))}
            </Box>
          </Box>
        ))}
      </List>
    </Paper>
  );
});
