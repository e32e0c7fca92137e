import { Alert } from '@mui/material';
import { useRuntime } from '@/lib/runtime';

/** Tells the admin that answers come from the built-in offline engine, not from a language model. */
export function OfflineBanner() {
  const { data } = useRuntime();
  if (data?.llm_mode !== 'offline') return null;
  return (
    <Alert severity="warning" sx={{ mb: 2 }} role="status">
      The server runs on the <strong>offline engine</strong>: no LLM is configured. Stages are chosen by
      similarity, facts by patterns, and replies are the fallback reply. Set <code>OPENAI_API_KEY</code> (or
      another provider) on the server to use a model.
    </Alert>
  );
}
