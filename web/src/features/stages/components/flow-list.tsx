import ArrowDownwardIcon from '@mui/icons-material/ArrowDownward';
import ArrowUpwardIcon from '@mui/icons-material/ArrowUpward';
import DeleteIcon from '@mui/icons-material/Delete';
import {
  Box,
  Button,
  Chip,
  FormControlLabel,
  IconButton,
  Link,
  List,
  ListItem,
  ListItemText,
  Paper,
  Stack,
  Switch,
  Typography,
} from '@mui/material';
import { Link as RouterLink } from 'react-router-dom';
import { DisabledReason } from '@/components/disabled-reason';
import type { Stage } from '@/lib/api/models';
import { paths } from '@/lib/paths';
import type { ConnectionKind } from './connection-dialog';
import type { FlowModel, FlowModelEdge } from './flow-model';
import type { FlowActions } from './use-flow-actions';

/**
 * The flow as a list, for a phone and for keyboard and screen-reader users: per stage its goal, the
 * stages that may follow it and its rules, with the diagram's edits as buttons.
 */
export function FlowList({
  model,
  stages,
  showTraffic,
  editable,
  editReason,
  actions,
  onAdd,
}: {
  model: FlowModel;
  stages: Stage[];
  showTraffic: boolean;
  editable: boolean;
  editReason: string | null;
  actions: FlowActions;
  onAdd: (source: Stage, kind: ConnectionKind) => void;
}) {
  const name = new Map(stages.map((s) => [s.stage_id, s.stage_name]));
  const stageName = (id: string) => name.get(id) ?? 'deleted stage';
  const count = (e: FlowModelEdge) => (showTraffic && e.count > 0 ? ` · ${e.count} observed` : '');
  return (
    <Stack
      spacing={2}
      component="ul"
      sx={{ listStyle: 'none', p: 0, m: 0 }}
      aria-label="Stages and their transitions"
    >
      {model.nodes.map((n) => {
        const stage = n.stage;
        if (!stage) return null;
        const out = model.edges.filter((e) => e.source === n.id);
        const allowed = out.filter((e) => e.kind === 'allowed');
        const rules = out.filter((e) => e.kind === 'rule');
        const observed = out.filter((e) => e.kind === 'observed');
        const headingId = `flow-stage-${n.id}`;
        return (
          <Paper component="li" key={n.id} variant="outlined" sx={{ p: 2 }} aria-labelledby={headingId}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
              <Typography variant="h2" component="h2" id={headingId} sx={{ fontSize: '1.1rem' }}>
                <Link component={RouterLink} to={editable ? paths.stageEdit(n.id) : paths.stage(n.id)}>
                  {stage.stage_name}
                </Link>
              </Typography>
              {n.entry && <Chip size="small" color="primary" label="entry" />}
              {stage.handoff && <Chip size="small" label="hand-off" />}
            </Stack>
            <Typography variant="body2" sx={{ mt: 0.5 }}>
              {n.required.length
                ? `Required: ${n.required.join(', ')}`
                : 'No required fields (never complete)'}
              {n.optional.length ? ` · Optional: ${n.optional.join(', ')}` : ''}
            </Typography>
            <DisabledReason reason={editReason}>
              <FormControlLabel
                control={
                  <Switch
                    checked={n.allowed === null}
                    disabled={!editable || actions.pending}
                    onChange={(e) => actions.setAnyNext(stage, e.target.checked)}
                  />
                }
                label={`Any stage may follow ${stage.stage_name}`}
              />
            </DisabledReason>

            <Typography variant="subtitle2" component="h3" sx={{ mt: 1 }}>
              Allowed next stages
            </Typography>
            {n.allowed === null ? (
              <Typography variant="body2" color="text.secondary">
                Any stage
              </Typography>
            ) : allowed.length === 0 ? (
              <Typography variant="body2" color="text.secondary">
                None: the conversation stays in this stage unless a rule moves it
              </Typography>
            ) : (
              <List dense disablePadding>
                {allowed.map((e) => (
                  <ListItem
                    key={e.id}
                    disableGutters
                    secondaryAction={
                      editable && (
                        <IconButton
                          edge="end"
                          aria-label={`Remove allowed transition from ${stage.stage_name} to ${stageName(e.target)}`}
                          disabled={actions.pending}
                          onClick={() => actions.remove(e)}
                        >
                          <DeleteIcon />
                        </IconButton>
                      )
                    }
                  >
                    <ListItemText primary={`→ ${stageName(e.target)}${count(e)}`} />
                  </ListItem>
                ))}
              </List>
            )}

            <Typography variant="subtitle2" component="h3" sx={{ mt: 1 }}>
              Rules
            </Typography>
            {rules.length > 1 && (
              <Typography variant="body2" color="text.secondary">
                Checked in this order: the first that holds moves the conversation.
              </Typography>
            )}
            {rules.length === 0 ? (
              <Typography variant="body2" color="text.secondary">
                No rules
              </Typography>
            ) : (
              <List dense disablePadding component="ol">
                {rules.map((e, position) => (
                  <ListItem
                    key={e.id}
                    disableGutters
                    sx={{ pr: editable ? 15 : 0 }}
                    secondaryAction={
                      editable && (
                        <Box sx={{ display: 'flex' }}>
                          <IconButton
                            aria-label={`Move rule ${e.label} up`}
                            disabled={actions.pending || position === 0}
                            onClick={() => actions.moveRule(e, -1)}
                          >
                            <ArrowUpwardIcon />
                          </IconButton>
                          <IconButton
                            aria-label={`Move rule ${e.label} down`}
                            disabled={actions.pending || position === rules.length - 1}
                            onClick={() => actions.moveRule(e, 1)}
                          >
                            <ArrowDownwardIcon />
                          </IconButton>
                          <IconButton
                            edge="end"
                            aria-label={`Remove rule ${e.label} from ${stage.stage_name} to ${stageName(e.target)}`}
                            disabled={actions.pending}
                            onClick={() => actions.remove(e)}
                          >
                            <DeleteIcon />
                          </IconButton>
                        </Box>
                      )
                    }
                  >
                    <ListItemText primary={`${e.label} → ${stageName(e.target)}${count(e)}`} />
                  </ListItem>
                ))}
              </List>
            )}
            {showTraffic && observed.length > 0 && (
              <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
                Also observed: {observed.map((e) => `→ ${stageName(e.target)} (${e.count})`).join(', ')}
              </Typography>
            )}
            {editable && (
              <Box sx={{ mt: 1, display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                <Button
                  size="small"
                  aria-label={`Add allowed stage after ${stage.stage_name}`}
                  onClick={() => onAdd(stage, 'allowed')}
                >
                  Add allowed stage
                </Button>
                <Button
                  size="small"
                  aria-label={`Add rule to ${stage.stage_name}`}
                  onClick={() => onAdd(stage, 'rule')}
                >
                  Add rule
                </Button>
              </Box>
            )}
          </Paper>
        );
      })}
    </Stack>
  );
}
