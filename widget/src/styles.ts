/**
 * The widget's whole stylesheet, scoped by the Shadow DOM. `:host` resets what the page's inherited
 * properties (font, colour, line-height…) would otherwise push into our tree.
 */
export const STYLES = `
:host{all:initial}
.root{--accent:#2563eb;--on-accent:#fff;--focus:#2563eb;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;-webkit-font-smoothing:antialiased}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
button{font:inherit;cursor:pointer}
:focus-visible{outline:3px solid #111827;outline-offset:2px;box-shadow:0 0 0 5px #fff}
.launcher{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border:0;border-radius:50%;background:var(--accent);color:var(--on-accent);box-shadow:0 6px 20px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center;padding:0}
.launcher svg{width:28px;height:28px}
.badge{position:absolute;top:-2px;right:-2px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#b91c1c;color:#fff;font-size:12px;font-weight:700;line-height:22px;text-align:center}
.panel{position:fixed;right:20px;bottom:92px;width:370px;height:min(600px,calc(100vh - 112px));display:flex;flex-direction:column;background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.28);overflow:hidden}
.head{display:flex;align-items:center;gap:8px;padding:12px 12px 12px 16px;background:var(--accent);color:var(--on-accent)}
.head h2{flex:1;margin:0;font-size:16px;font-weight:650;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.icon-btn{width:40px;height:40px;border:0;border-radius:8px;background:transparent;color:inherit;display:flex;align-items:center;justify-content:center;padding:0}
.icon-btn svg{width:22px;height:22px}
.head .icon-btn:focus-visible{outline-color:var(--on-accent);box-shadow:none}
.log{flex:1;overflow-y:auto;margin:0;padding:16px;list-style:none;display:flex;flex-direction:column;gap:8px;background:#f3f4f6}
.msg{max-width:85%;padding:9px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}
.msg.customer{align-self:flex-end;background:var(--accent);color:var(--on-accent);border-bottom-right-radius:4px}
.msg.assistant,.msg.agent{align-self:flex-start;background:#fff;color:#111827;border:1px solid #d1d5db;border-bottom-left-radius:4px}
.msg .who{display:block;font-size:12px;font-weight:650;color:#374151;margin-bottom:2px}
.msg.pending{opacity:.75}
.msg.streaming:empty::after,.dots::after{content:"…"}
.typing{margin:0;padding:4px 16px;min-height:24px;font-size:13px;color:#374151;background:#f3f4f6}
.error{margin:0;padding:8px 16px;font-size:13px;color:#7f1d1d;background:#fee2e2}
form{display:flex;gap:8px;align-items:flex-end;padding:10px;border-top:1px solid #e5e7eb;background:#fff}
textarea{flex:1;resize:none;min-height:42px;max-height:120px;padding:10px 12px;border:1px solid #6b7280;border-radius:10px;font:inherit;color:#111827;background:#fff}
textarea:focus-visible{outline:3px solid var(--focus);outline-offset:0;box-shadow:none}
.send{width:42px;height:42px;border:0;border-radius:10px;background:var(--accent);color:var(--on-accent);display:flex;align-items:center;justify-content:center;padding:0}
.send svg{width:20px;height:20px}
.send:disabled{opacity:.5;cursor:default}
@media (max-width:480px){.panel{inset:0;width:100%;height:100%;border-radius:0}.launcher{right:16px;bottom:16px}textarea{font-size:16px}}
@media (prefers-reduced-motion:no-preference){.panel{animation:rise .16s ease-out}@keyframes rise{from{transform:translateY(8px);opacity:0}}}
`;

/**
 * Attaches the stylesheet: a constructed sheet where supported (a page's CSP `style-src` does not
 * apply to it), else a <style> element.
 */
export function adoptStyles(root: ShadowRoot, css: string) {
  const Sheet = (root.ownerDocument.defaultView as (Window & typeof globalThis) | null)?.CSSStyleSheet;
  if (Sheet && 'adoptedStyleSheets' in root && 'replaceSync' in Sheet.prototype) {
    try {
      const sheet = new Sheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
      return;
    } catch {
      // fall through to a <style> element
    }
  }
  const style = root.ownerDocument.createElement('style');
  style.textContent = css;
  root.append(style);
}
