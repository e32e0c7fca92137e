import {
  Button,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import { useStages } from '@/lib/api/stages/list-stages';
import { fromTurn } from '@/lib/api/tests/from-turn';
import {
  type TestCase,
  type TestCaseDraft,
  type TestCaseInput,
  type TestExpectations,
  useSaveTestCase,
} from '@/lib/api/tests/golden-tests';
import { ErrorAlert } from './error-alert';

type FieldExpectation = NonNullable<TestExpectations['fields']>[number];
type Sender = TestCaseInput extends { history?: (infer H)[] } ? H : never;

/** `user: text` per line ⇄ the case's history. */
const historyToText = (h: { sender: string; content: string }[]) =>
  h.map((m) => `${m.sender}: ${m.content.replace(/\n/g, ' ')}`).join('\n');
function textToHistory(text: string): Sender[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const m = /^(user|assistant|agent|system)\s*:\s*(.*)$/i.exec(line);
      return (
        m
          ? { sender: (m[1] as string).toLowerCase(), content: m[2] as string }
          : { sender: 'user', content: line }
      ) as Sender;
    });
}

/** `key = value` (equals; JSON or text), `key ~ pattern` (matches), `!key` (absent), one per line. */
const fieldsToText = (fields: FieldExpectation[] = []) =>
  fields
    .map((f) =>
      f.op === 'absent'
        ? `!${f.key}`
        : f.op === 'matches'
          ? `${f.key} ~ ${f.pattern ?? ''}`
          : `${f.key} = ${typeof f.value === 'string' ? f.value : JSON.stringify(f.value)}`,
    )
    .join('\n');
function textToFields(text: string): FieldExpectation[] {
  const out: FieldExpectation[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('!')) {
      out.push({ key: line.slice(1).trim(), op: 'absent' });
      continue;
    }
    const m = /^([^=~]+?)\s*([=~])\s*(.*)$/.exec(line);
    if (!m) throw new Error(`Field expectation “${line}”: write key = value, key ~ pattern or !key`);
    const [, key, op, rest] = m as unknown as [string, string, string, string];
    if (op === '~') out.push({ key, op: 'matches', pattern: rest });
    else {
      let value: unknown = rest;
      try {
        value = JSON.parse(rest);
      } catch {
        // plain text
      }
      out.push({ key, op: 'equals', value });
    }
  }
  return out;
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

type Initial = Partial<TestCase> | TestCaseDraft;

/** Create or edit a golden test case; `initial` may be a draft made from a conversation turn. */
export function TestCaseDialog({
  businessId,
  open,
  initial,
  caseId,
  onClose,
  onSaved,
}: {
  businessId: string;
  open: boolean;
  initial: Initial;
  caseId?: string;
  onClose: () => void;
  onSaved?: (saved: TestCase) => void;
}) {
  const stages = useStages(businessId);
  const save = useSaveTestCase(businessId);
  const e = initial.expectations ?? {};
  const [name, setName] = useState(initial.name ?? '');
  const [stageId, setStageId] = useState(initial.stage_id ?? '');
  const [message, setMessage] = useState(initial.message ?? '');
  const [history, setHistory] = useState(historyToText(initial.history ?? []));
  const [collected, setCollected] = useState(JSON.stringify(initial.collected_data ?? {}, null, 2));
  const [stageMode, setStageMode] = useState<'none' | 'stays' | 'exactly'>(e.stage?.mode ?? 'none');
  const [targetStage, setTargetStage] = useState(e.stage?.stage_id ?? '');
  const [fields, setFields] = useState(fieldsToText(e.fields));
  const [contains, setContains] = useState((e.reply?.contains ?? []).join('\n'));
  const [notContains, setNotContains] = useState((e.reply?.not_contains ?? []).join('\n'));
  const [matches, setMatches] = useState(e.reply?.matches ?? '');
  const [maxLength, setMaxLength] = useState(e.reply?.max_length ? String(e.reply.max_length) : '');
  const [rubric, setRubric] = useState(e.reply?.rubric ?? '');
  const [formError, setFormError] = useState<string | null>(null);
  const observed = 'observed' in initial ? initial.observed : null;

  function submit() {
    setFormError(null);
    let input: TestCaseInput;
    try {
      const collectedData = collected.trim() ? JSON.parse(collected) : {};
      if (typeof collectedData !== 'object' || Array.isArray(collectedData) || collectedData === null)
        throw new Error('Collected data must be a JSON object');
      const reply: NonNullable<TestExpectations['reply']> = {};
      if (lines(contains).length) reply.contains = lines(contains);
      if (lines(notContains).length) reply.not_contains = lines(notContains);
      if (matches.trim()) reply.matches = matches.trim();
      if (maxLength.trim()) reply.max_length = Number(maxLength);
      if (rubric.trim()) reply.rubric = rubric.trim();
      const expectations: TestExpectations = {};
      if (stageMode === 'stays') expectations.stage = { mode: 'stays' };
      if (stageMode === 'exactly') expectations.stage = { mode: 'exactly', stage_id: targetStage };
      const parsedFields = textToFields(fields);
      if (parsedFields.length) expectations.fields = parsedFields;
      if (Object.keys(reply).length) expectations.reply = reply;
      input = {
        stage_id: stageId,
        name: name.trim() || message.slice(0, 60),
        message,
        history: textToHistory(history),
        collected_data: collectedData as Record<string, unknown>,
        expectations,
        ...('source_message_id' in initial && initial.source_message_id
          ? { source_message_id: initial.source_message_id }
          : {}),
      };
    } catch (err) {
      setFormError((err as Error).message);
      return;
    }
    save.mutate(caseId ? { id: caseId, input } : { input }, {
      onSuccess: (saved) => {
        onSaved?.(saved);
        onClose();
      },
    });
  }

  const stageOptions = stages.data?.stages ?? [];
  return (
    <Dialog open={open} onClose={onClose} maxWidth="md" fullWidth aria-labelledby="test-case-dialog-title">
      <DialogTitle id="test-case-dialog-title">{caseId ? 'Edit test case' : 'New test case'}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ mt: 1 }}>
          <TextField label="Name" value={name} onChange={(ev) => setName(ev.target.value)} size="small" />
          <TextField
            select
            label="Stage the conversation is in"
            value={stageId}
            onChange={(ev) => setStageId(ev.target.value)}
            size="small"
          >
            {stageOptions.map((s) => (
              <MenuItem key={s.stage_id} value={s.stage_id}>
                {s.stage_name}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            label="Conversation so far"
            helperText="One message per line: user: … / assistant: …"
            value={history}
            onChange={(ev) => setHistory(ev.target.value)}
            multiline
            minRows={2}
            size="small"
          />
          <TextField
            label="Collected data (JSON)"
            value={collected}
            onChange={(ev) => setCollected(ev.target.value)}
            multiline
            minRows={1}
            size="small"
          />
          <TextField
            label="New customer message"
            value={message}
            onChange={(ev) => setMessage(ev.target.value)}
            multiline
            required
            size="small"
          />
          <Typography variant="subtitle2">Expectations</Typography>
          <Stack direction="row" spacing={2}>
            <TextField
              select
              label="Selected stage"
              value={stageMode}
              onChange={(ev) => setStageMode(ev.target.value as typeof stageMode)}
              size="small"
              sx={{ minWidth: 180 }}
            >
              <MenuItem value="none">Not checked</MenuItem>
              <MenuItem value="stays">Stays</MenuItem>
              <MenuItem value="exactly">Exactly</MenuItem>
            </TextField>
            {stageMode === 'exactly' && (
              <TextField
                select
                label="Expected stage"
                value={targetStage}
                onChange={(ev) => setTargetStage(ev.target.value)}
                size="small"
                sx={{ minWidth: 220 }}
              >
                {stageOptions.map((s) => (
                  <MenuItem key={s.stage_id} value={s.stage_id}>
                    {s.stage_name}
                  </MenuItem>
                ))}
              </TextField>
            )}
          </Stack>
          <TextField
            label="Extracted fields"
            helperText="key = value (equals), key ~ pattern (matches), !key (absent); one per line"
            value={fields}
            onChange={(ev) => setFields(ev.target.value)}
            multiline
            minRows={1}
            size="small"
          />
          <Stack direction="row" spacing={2}>
            <TextField
              label="Reply contains"
              helperText="One per line"
              value={contains}
              onChange={(ev) => setContains(ev.target.value)}
              multiline
              fullWidth
              size="small"
            />
            <TextField
              label="Reply does not contain"
              helperText="One per line"
              value={notContains}
              onChange={(ev) => setNotContains(ev.target.value)}
              multiline
              fullWidth
              size="small"
            />
          </Stack>
          <Stack direction="row" spacing={2}>
            <TextField
              label="Reply matches (regular expression)"
              value={matches}
              onChange={(ev) => setMatches(ev.target.value)}
              fullWidth
              size="small"
            />
            <TextField
              label="Reply max length"
              type="number"
              value={maxLength}
              onChange={(ev) => setMaxLength(ev.target.value)}
              size="small"
            />
          </Stack>
          <TextField
            label="Rubric (judged by the LLM)"
            value={rubric}
            onChange={(ev) => setRubric(ev.target.value)}
            multiline
            size="small"
          />
          {observed && (
            <Typography variant="body2" color="text.secondary">
              What happened in that turn: “{observed.reply}”
            </Typography>
          )}
          {formError && <ErrorAlert error={new Error(formError)} />}
          <ErrorAlert error={save.error} showFieldErrors />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="contained"
          onClick={submit}
          disabled={save.isPending || !stageId || !message.trim()}
          startIcon={save.isPending ? <CircularProgress size={16} /> : undefined}
        >
          Save test
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** "Add as test" on a transcript turn: pre-fills a case from the customer message, then opens the form. */
export function AddAsTestButton({ businessId, messageId }: { businessId: string; messageId: string }) {
  const [draft, setDraft] = useState<TestCaseDraft | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const [saved, setSaved] = useState(false);
  return (
    <>
      <Button
        size="small"
        disabled={pending}
        onClick={async (ev) => {
          ev.stopPropagation();
          setError(null);
          setPending(true);
          try {
            setDraft(await fromTurn(businessId, messageId));
          } catch (err) {
            setError(err);
          } finally {
            setPending(false);
          }
        }}
      >
        {saved ? 'Test added' : 'Add as test'}
      </Button>
      <ErrorAlert error={error} />
      {draft && (
        <TestCaseDialog
          businessId={businessId}
          open
          initial={draft}
          onClose={() => setDraft(null)}
          onSaved={() => setSaved(true)}
        />
      )}
    </>
  );
}
