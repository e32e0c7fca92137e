export interface WidgetSettings {
  /** The API origin: the server the script was loaded from, whatever page embeds it. */
  apiOrigin: string;
  publishableKey: string;
}

/**
 * Finds our own <script> tag — `document.currentScript` while it runs synchronously; with `async` it
 * is usually set too, but fall back to the last tag that loads a widget.js and carries a data-key.
 */
export function findWidgetScript(doc: Document = document): HTMLScriptElement | null {
  const current = doc.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.key) return current;
  const candidates = doc.querySelectorAll<HTMLScriptElement>('script[data-key][src*="widget.js"]');
  return candidates[candidates.length - 1] ?? null;
}

export function readWidgetSettings(script: HTMLScriptElement | null): WidgetSettings | null {
  const key = script?.dataset.key?.trim();
  if (!script || !key || !script.src) return null;
  try {
    return { apiOrigin: new URL(script.src, document.baseURI).origin, publishableKey: key };
  } catch {
    return null;
  }
}
