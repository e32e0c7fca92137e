import { accentPalette } from './color';
import { h, ICONS, icon } from './dom';
import { adoptStyles, STYLES } from './styles';

export type Sender = 'customer' | 'assistant' | 'agent';

export interface ChatViewHandlers {
  onSend(text: string): void;
  onOpen?(): void;
}

const WHO: Record<Sender, string> = { customer: 'You', assistant: 'Assistant', agent: 'Agent' };

/**
 * The launcher bubble and the chat panel inside a Shadow DOM on a custom element: the page's CSS
 * cannot reach in (selectors stop at the shadow boundary, the host's own box is pinned inline) and
 * ours cannot leak out. The root is open so assistive and test tooling can walk it.
 */
export function createChatView(doc: Document, handlers: ChatViewHandlers) {
  const host = doc.createElement('icmp-chat-widget');
  // Inline !important beats whatever the page's stylesheets say about our host element.
  for (const [name, value] of [
    ['display', 'block'],
    ['position', 'static'],
    ['z-index', '2147483000'],
  ] as const)
    host.style.setProperty(name, value, 'important');
  const shadow = host.attachShadow({ mode: 'open' });
  adoptStyles(shadow, STYLES);

  const badge = h(doc, 'span', { class: 'badge', hidden: true, 'aria-hidden': 'true' });
  const launcher = h(
    doc,
    'button',
    { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'icmp-panel' },
    icon(doc, ICONS.chat),
    badge,
  );
  const title = h(doc, 'h2', { id: 'icmp-title' }, 'Chat');
  const close = h(doc, 'button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close chat' });
  close.append(icon(doc, ICONS.close));
  const log = h(doc, 'ol', {
    class: 'log',
    role: 'log',
    'aria-live': 'polite',
    'aria-relevant': 'additions',
    'aria-label': 'Messages',
    tabindex: '0',
  });
  const typing = h(doc, 'p', { class: 'typing', role: 'status', 'aria-live': 'polite' });
  const error = h(doc, 'p', { class: 'error', role: 'alert', hidden: true });
  const input = h(doc, 'textarea', { id: 'icmp-input', rows: '1', maxlength: '4000', autocomplete: 'off' });
  const send = h(doc, 'button', { type: 'submit', class: 'send', 'aria-label': 'Send message' });
  send.append(icon(doc, ICONS.send));
  const form = h(
    doc,
    'form',
    {},
    h(doc, 'label', { for: 'icmp-input', class: 'sr' }, 'Your message'),
    input,
    send,
  );
  const panel = h(
    doc,
    'section',
    { id: 'icmp-panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'icmp-title', hidden: true },
    h(doc, 'div', { class: 'head' }, title, close),
    log,
    typing,
    error,
    form,
  );
  const root = h(doc, 'div', { class: 'root' }, launcher, panel);
  shadow.append(root);

  let chatTitle = 'Chat';
  let unread = 0;
  let busy = false;
  const isOpen = () => !panel.hidden;

  const renderLauncherLabel = () => {
    const news = unread ? `, ${unread} new message${unread > 1 ? 's' : ''}` : '';
    launcher.setAttribute('aria-label', `${isOpen() ? 'Close' : 'Open'} chat: ${chatTitle}${news}`);
    badge.textContent = unread ? String(unread) : '';
    badge.hidden = unread === 0;
  };
  const scrollToEnd = () => {
    log.scrollTop = log.scrollHeight;
  };

  const open = () => {
    if (isOpen()) return;
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    unread = 0;
    renderLauncherLabel();
    scrollToEnd();
    input.focus();
    handlers.onOpen?.();
  };
  const hide = (restoreFocus = true) => {
    if (!isOpen()) return;
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    renderLauncherLabel();
    if (restoreFocus) launcher.focus();
  };

  launcher.addEventListener('click', () => (isOpen() ? hide() : open()));
  close.addEventListener('click', () => hide());
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      hide();
    }
  });
  const submit = () => {
    const text = input.value.trim();
    if (!text || busy) return;
    input.value = '';
    handlers.onSend(text);
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  renderLauncherLabel();

  const bubble = (sender: Sender, text: string) => {
    const item = h(
      doc,
      'li',
      { class: `msg ${sender}` },
      h(doc, 'span', { class: 'sr' }, `${WHO[sender]}: `),
    );
    if (sender === 'agent') item.prepend(h(doc, 'span', { class: 'who', 'aria-hidden': 'true' }, 'Agent'));
    const body = h(doc, 'span', {}, text);
    item.append(body);
    return { item, body };
  };

  return {
    host,
    mount(parent: HTMLElement) {
      parent.append(host);
    },
    configure(options: { title: string; greeting: string; color: string }) {
      chatTitle = options.title || 'Chat';
      title.textContent = chatTitle;
      const palette = accentPalette(options.color);
      root.style.setProperty('--accent', palette.accent);
      root.style.setProperty('--on-accent', palette.onAccent);
      root.style.setProperty('--focus', palette.focus);
      renderLauncherLabel();
      if (options.greeting) log.prepend(bubble('assistant', options.greeting).item);
    },
    /** Appends a message; `announce` counts it as unread while the panel is closed. */
    addMessage(sender: Sender, text: string, announce = false) {
      const { item, body } = bubble(sender, text);
      log.append(item);
      scrollToEnd();
      if (announce && !isOpen()) {
        unread++;
        renderLauncherLabel();
      }
      return {
        item,
        setText(value: string) {
          body.textContent = value;
          scrollToEnd();
        },
        appendText(value: string) {
          body.append(doc.createTextNode(value));
          scrollToEnd();
        },
        setPending(pending: boolean) {
          item.classList.toggle('pending', pending);
        },
        remove() {
          item.remove();
        },
      };
    },
    /** While a reply streams, the log is busy: screen readers hear the finished reply once. */
    setBusy(value: boolean) {
      busy = value;
      send.disabled = value;
      log.setAttribute('aria-busy', String(value));
    },
    setTyping(text: string) {
      typing.textContent = text;
    },
    showError(text: string | null) {
      error.textContent = text ?? '';
      error.hidden = !text;
    },
    open,
    close: hide,
    isOpen,
    elements: { launcher, panel, log, input, send, close },
  };
}

export type ChatView = ReturnType<typeof createChatView>;
