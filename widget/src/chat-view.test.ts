import { createChatView } from './chat-view';

function mountView() {
  const sent: string[] = [];
  const view = createChatView(document, { onSend: (text) => sent.push(text) });
  view.mount(document.body);
  view.configure({ title: 'Trattoria', greeting: 'Ciao! How can we help?', color: '#ffeb3b' });
  return { view, sent, shadow: view.host.shadowRoot as ShadowRoot };
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('chat view', () => {
  it('renders inside a shadow root with a labelled launcher button, closed at first', () => {
    const { view, shadow } = mountView();
    const { launcher, panel } = view.elements;
    expect(document.body.querySelector('button')).toBeNull(); // nothing leaks into the page's DOM
    expect(shadow.contains(launcher)).toBe(true);
    expect(launcher.tagName).toBe('BUTTON');
    expect(launcher.getAttribute('aria-label')).toBe('Open chat: Trattoria');
    expect(launcher.getAttribute('aria-expanded')).toBe('false');
    expect(panel.hidden).toBe(true);
    expect(panel.getAttribute('role')).toBe('dialog');
    expect(shadow.getElementById(panel.getAttribute('aria-labelledby') as string)?.textContent).toBe(
      'Trattoria',
    );
    expect(view.elements.log.getAttribute('aria-live')).toBe('polite');
    expect(view.elements.log.getAttribute('role')).toBe('log');
  });

  it('opens with focus in the input, closes on Escape with focus back on the launcher', () => {
    const { view, shadow } = mountView();
    const { launcher, panel, input } = view.elements;
    launcher.click();
    expect(panel.hidden).toBe(false);
    expect(launcher.getAttribute('aria-expanded')).toBe('true');
    expect(shadow.activeElement).toBe(input);
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(panel.hidden).toBe(true);
    expect(launcher.getAttribute('aria-expanded')).toBe('false');
    expect(shadow.activeElement).toBe(launcher);
  });

  it('shows text exactly as written, never as HTML', () => {
    const { view, shadow } = mountView();
    const hostile = '<img src=x onerror="alert(1)"><b>bold</b> & {{business_info}}';
    view.addMessage('agent', hostile);
    const items = shadow.querySelectorAll('li.msg');
    const last = items[items.length - 1] as HTMLElement;
    expect(last.querySelector('img, b')).toBeNull();
    expect(last.lastChild?.textContent).toBe(hostile);
    expect(shadow.querySelector('img')).toBeNull();
  });

  it('sends on Enter (not Shift+Enter), clears the input, and counts unread replies while closed', () => {
    const { view, sent } = mountView();
    const { input, launcher } = view.elements;
    launcher.click();
    input.value = '  Table for two?  ';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true }));
    expect(sent).toEqual([]);
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(sent).toEqual(['Table for two?']);
    expect(input.value).toBe('');
    view.close();
    view.addMessage('agent', 'Yes, at 21:00', true);
    expect(launcher.getAttribute('aria-label')).toBe('Open chat: Trattoria, 1 new message');
    launcher.click();
    expect(launcher.getAttribute('aria-label')).toBe('Close chat: Trattoria');
  });

  it('does not send while a reply is streaming, and marks the log busy meanwhile', () => {
    const { view, sent } = mountView();
    view.open();
    view.setBusy(true);
    view.elements.input.value = 'again';
    view.elements.input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(sent).toEqual([]);
    expect(view.elements.log.getAttribute('aria-busy')).toBe('true');
    expect(view.elements.send.disabled).toBe(true);
  });
});
