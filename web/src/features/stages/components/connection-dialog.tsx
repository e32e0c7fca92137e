import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormLabel,
  MenuItem,
  Radio,
  RadioGroup,
  Stack,
  TextField,
} from '@mui/material';
import { type FormEvent, useId, useState } from 'react';
import { ErrorAlert } from '@/components/error-alert';
import type { Field, Stage, TransitionRule } from '@/lib/api/models';

export type ConnectionKind = 'allowed' | 'rule';
export type RuleKind = TransitionRule['kind'];

export const RULE_KIND_LABELS: Record<RuleKind, string> = {
  complete: 'The stage is complete (every required field collected)',
  field_equals: 'A field has a given value',
  asks_for_human: 'The customer asks for a human',
};

export interface ConnectionChoice {
  target: string;
  kind: ConnectionKind;
  rule?: TransitionRule;
}

/**
 * What a new connection from `source` means: an allowed transition (the selection step may choose
 * the target) or a rule (the move happens without a selection call when the condition holds).
 * Opened by drawing an edge (target given) or from the list view's buttons (target chosen here).
 */
export function ConnectionDialog({
  source,
  target: fixedTarget,
  initialKind = 'allowed',
  stages,
  fields,
  pending,
  error,
  onSubmit,
  onClose,
}: {
  source: Stage;
  target?: string;
  initialKind?: ConnectionKind;
  stages: Stage[];
  fields: Field[];
  pending: boolean;
  error: unknown;
  onSubmit: (choice: ConnectionChoice) => void;
  onClose: () => void;
}) {
  const id = useId();
  const [target, setTarget] = useState(fixedTarget ?? '');
  const [kind, setKind] = useState<ConnectionKind>(initialKind);
  const [ruleKind, setRuleKind] = useState<RuleKind>('complete');
  const [field, setField] = useState('');
  const [value, setValue] = useState('');
  const [label, setLabel] = useState('');
  const [touched, setTouched] = useState(false);
  const targets = stages.filter((s) => s.stage_id !== source.stage_id);
  const targetName = stages.find((s) => s.stage_id === fixedTarget)?.stage_name;
  const chosenField = fields.find((f) => f.name === field);
  const needsField = kind === 'rule' && ruleKind === 'field_equals';
  const targetError = touched && !target ? 'Choose the next stage.' : undefined;
  const fieldError = touched && needsField && !field ? 'Choose a field.' : undefined;
  const valueError = touched && needsField && !value.trim() ? 'Give the value.' : undefined;

  function ruleValue(): string | number | boolean {
    const v = value.trim();
    if (chosenField?.type === 'number' && v !== '' && Number.isFinite(Number(v))) return Number(v);
    if (chosenField?.type === 'boolean') return v === 'true';
    return v;
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (!target || (needsField && (!field || !value.trim()))) return;
    if (kind === 'allowed') return onSubmit({ target, kind });
    const extra = label.trim() ? { label: label.trim() } : {};
    const rule: TransitionRule =
      ruleKind === 'field_equals'
        ? { kind: 'field_equals', field, value: ruleValue(), target_stage_id: target, ...extra }
        : { kind: ruleKind, target_stage_id: target, ...extra };
    onSubmit({ target, kind, rule });
  }

  const title = fixedTarget
    ? `Connect ${source.stage_name} to ${targetName ?? 'stage'}`
    : `From ${source.stage_name}`;
  return (
    <Dialog
      open
      onClose={pending ? undefined : onClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby={`${id}-title`}
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id={`${id}-title`}>{title}</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            {!fixedTarget && (
              <TextField
                select
                label="Next stage"
                value={target}
                onChange={(e) => setTarget(e.target.value)}
                error={!!targetError}
                helperText={targetError}
                required
                autoFocus
              >
                {targets.map((s) => (
                  <MenuItem key={s.stage_id} value={s.stage_id}>
                    {s.stage_name}
                  </MenuItem>
                ))}
              </TextField>
            )}
            <FormControl>
              <FormLabel id={`${id}-kind`}>This connection is</FormLabel>
              <RadioGroup
                aria-labelledby={`${id}-kind`}
                value={kind}
                onChange={(e) => setKind(e.target.value as ConnectionKind)}
              >
                <FormControlLabel
                  value="allowed"
                  control={<Radio />}
                  label="An allowed transition (the assistant may choose to move there)"
                />
                <FormControlLabel
                  value="rule"
                  control={<Radio />}
                  label="A rule (move there when a condition holds, without asking the model)"
                />
              </RadioGroup>
            </FormControl>
            {kind === 'allowed' && source.allowed_next_stage_ids == null && (
              <DialogContentText variant="body2">
                Any stage may follow {source.stage_name} now; adding an allowed transition limits it to the
                stages you list.
              </DialogContentText>
            )}
            {kind === 'rule' && (
              <>
                <TextField
                  select
                  label="When"
                  value={ruleKind}
                  onChange={(e) => setRuleKind(e.target.value as RuleKind)}
                >
                  {(Object.keys(RULE_KIND_LABELS) as RuleKind[]).map((k) => (
                    <MenuItem key={k} value={k}>
                      {RULE_KIND_LABELS[k]}
                    </MenuItem>
                  ))}
                </TextField>
                {ruleKind === 'field_equals' && (
                  <>
                    <TextField
                      select
                      label="Field"
                      value={field}
                      onChange={(e) => setField(e.target.value)}
                      error={!!fieldError}
                      helperText={
                        fieldError ??
                        (fields.length === 0 ? 'Define fields on the Fields page first.' : undefined)
                      }
                      required
                    >
                      {fields.map((f) => (
                        <MenuItem key={f.name} value={f.name}>
                          {f.label} ({f.name})
                        </MenuItem>
                      ))}
                    </TextField>
                    {chosenField?.type === 'enum' || chosenField?.type === 'boolean' ? (
                      <TextField
                        select
                        label="Value"
                        value={value}
                        onChange={(e) => setValue(e.target.value)}
                        error={!!valueError}
                        helperText={valueError}
                        required
                      >
                        {(chosenField.type === 'boolean'
                          ? ['true', 'false']
                          : (chosenField.values ?? [])
                        ).map((v) => (
                          <MenuItem key={v} value={v}>
                            {v}
                          </MenuItem>
                        ))}
                      </TextField>
                    ) : (
                      <TextField
                        label="Value"
                        value={value}
                        onChange={(e) => setValue(e.target.value)}
                        error={!!valueError}
                        helperText={valueError ?? 'Compared with the collected value, after normalisation.'}
                        required
                      />
                    )}
                  </>
                )}
                <TextField
                  label="Label (optional)"
                  value={label}
                  onChange={(e) => setLabel(e.target.value)}
                  helperText="Shown on the edge, e.g. “details collected”."
                />
              </>
            )}
            <ErrorAlert error={error} />
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={pending}>
            Add
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
