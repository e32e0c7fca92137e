import { TextField } from '@mui/material';

interface DateRangeFieldsProps {
  from: string;
  to: string;
  onChange(patch: { from?: string; to?: string }): void;
  /** What the dates bound, e.g. "Active" → "Active from" / "Active to". */
  subject?: string;
}

/** Two date inputs of a list's filter bar (values `YYYY-MM-DD`, empty for no bound). */
export function DateRangeFields({ from, to, onChange, subject }: DateRangeFieldsProps) {
  const label = (bound: 'from' | 'to') =>
    subject ? `${subject} ${bound}` : bound === 'from' ? 'From' : 'To';
  return (
    <>
      <TextField
        size="small"
        label={label('from')}
        type="date"
        value={from}
        onChange={(e) => onChange({ from: e.target.value })}
        slotProps={{ inputLabel: { shrink: true } }}
      />
      <TextField
        size="small"
        label={label('to')}
        type="date"
        value={to}
        onChange={(e) => onChange({ to: e.target.value })}
        slotProps={{ inputLabel: { shrink: true } }}
      />
    </>
  );
}
