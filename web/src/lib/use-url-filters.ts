import { useSearchParams } from 'react-router-dom';

/**
 * List filters kept in the URL (shareable, kept on reload and back). `update` sets or clears keys
 * (an empty value clears) and, unless it sets `page`, goes back to the first page.
 */
export function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const get = (key: string) => params.get(key) ?? '';
  function update(changes: Record<string, string>) {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: true });
  }
  const clear = () => setParams({}, { replace: true });
  return { params, get, update, clear };
}
