import { findWidgetScript, readWidgetSettings } from './script-origin';
import { mountWidget } from './widget';

// `document.currentScript` is only set while this file runs synchronously: read the tag now.
const settings = readWidgetSettings(findWidgetScript());

function boot() {
  if (!settings) {
    console.warn('[icmp-widget] add data-key="pk_…" to the widget.js <script> tag');
    return;
  }
  const flags = window as unknown as Record<string, boolean>;
  const mounted = `__icmpWidget:${settings.publishableKey}`;
  if (flags[mounted]) return; // the snippet pasted twice
  flags[mounted] = true;
  mountWidget(settings).catch((error) => {
    flags[mounted] = false;
    console.warn('[icmp-widget] the chat could not start:', error instanceof Error ? error.message : error);
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, { once: true });
else boot();
