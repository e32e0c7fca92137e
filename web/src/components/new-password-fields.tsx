import { TextField } from '@mui/material';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/passwords';

interface NewPasswordFieldsProps {
  password: string;
  repeat: string;
  onPassword: (value: string) => void;
  onRepeat: (value: string) => void;
  /** `new_password` and `repeat` errors (from `newPasswordErrors` or the server). */
  fieldErrors: Record<string, string | undefined>;
}

/** A new password and its repetition, as every form that sets a password asks for them. */
export function NewPasswordFields({
  password,
  repeat,
  onPassword,
  onRepeat,
  fieldErrors,
}: NewPasswordFieldsProps) {
  return (
    <>
      <TextField
        label="New password"
        name="new_password"
        type="password"
        value={password}
        onChange={(e) => onPassword(e.target.value)}
        error={!!fieldErrors.new_password}
        helperText={fieldErrors.new_password ?? `At least ${MIN_PASSWORD_LENGTH} characters.`}
        autoComplete="new-password"
        fullWidth
      />
      <TextField
        label="Repeat the new password"
        name="repeat"
        type="password"
        value={repeat}
        onChange={(e) => onRepeat(e.target.value)}
        error={!!fieldErrors.repeat}
        helperText={fieldErrors.repeat}
        autoComplete="new-password"
        fullWidth
      />
    </>
  );
}
