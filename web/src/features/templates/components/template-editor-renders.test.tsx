import { StateEffect, type TransactionSpec } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { act, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { TemplateEditPage } from './template-edit-page';

/*
 * Typing must stay cheap: a keystroke in the code editor re-renders the typed editor (and, at low priority,
 * the preview that shows the draft) but not the palette, the preview context form or the other editor, and
 * never reconfigures CodeMirror. The mocks below wrap the real components to count their renders.
 */
const { renders, counted } = vi.hoisted(() => {
  const renders: Record<string, number> = {};
  async function counted(mod: Record<string, unknown>, name: string): Promise<Record<string, unknown>> {
    const memo = (await import('react')).memo as (c: unknown, compare?: unknown) => unknown;
    const original = mod[name] as { $$typeof?: symbol; type?: unknown; compare?: unknown } | undefined;
    const isMemo = typeof original === 'object' && original !== null && !!original.$$typeof;
    const render = (isMemo ? original.type : original) as (props: unknown) => unknown;
    // biome-ignore lint/correctness/noComponentHookFactories: test double, created once per mocked module
    const Counted = (props: unknown) => {
      renders[name] = (renders[name] ?? 0) + 1;
      return render(props);
    };
    return { ...mod, [name]: isMemo ? memo(Counted, original.compare) : Counted };
  }
  return { renders, counted };
});
vi.mock('./variable-palette', async (orig) =>
  counted(await orig<Record<string, unknown>>(), 'VariablePalette'),
);
vi.mock('./preview-context', async (orig) =>
  counted(await orig<Record<string, unknown>>(), 'PreviewContextForm'),
);
vi.mock('./template-preview-panel', async (orig) =>
  counted(await orig<Record<string, unknown>>(), 'TemplatePreviewPanel'),
);
vi.mock('./template-code-editor', async (orig) =>
  counted(await orig<Record<string, unknown>>(), 'TemplateCodeEditor'),
);

function viewOf(label: string): EditorView {
  const view = EditorView.findFromDOM(screen.getByRole('textbox', { name: label }));
  if (!view) throw new Error(`no editor ${label}`);
  return view;
}

/** Types like CodeMirror's input handling does: one user transaction per character, at the end. */
function typeInto(view: EditorView, text: string) {
  for (const ch of text) {
    act(() => {
      view.dispatch({ changes: { from: view.state.doc.length, insert: ch }, userEvent: 'input.type' });
    });
  }
}

function reconfigures(spy: { mock: { calls: unknown[][] } }) {
  return spy.mock.calls.filter((args) =>
    args.some((spec) =>
      [(spec as TransactionSpec).effects ?? []].flat().some((e) => e.is(StateEffect.reconfigure)),
    ),
  ).length;
}

describe('template editor typing cost', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
  });

  it('re-renders only the typed editor and the draft preview on a keystroke', async () => {
    const t = api.addTemplate({
      template_name: 'Greeting reply',
      template_type: 'response_generation',
      content: 'Hello {{user_name}}',
      system_prompt: 'Be brief.',
    });
    renderRoutes([route('/templates/:templateId', <TemplateEditPage />)], `/templates/${t.template_id}`);
    await waitFor(() => expect(screen.getByLabelText('Rendered prompt')).toHaveTextContent('Hello Jane Doe'));
    const palette = screen.getByLabelText('Variables');
    const content = viewOf('Template content');
    const system = viewOf('System prompt');
    const contentDispatch = vi.spyOn(content, 'dispatch');
    const systemDispatch = vi.spyOn(system, 'dispatch');
    for (const k of Object.keys(renders)) renders[k] = 0;

    typeInto(content, ', thanks');

    expect(renders.VariablePalette ?? 0).toBe(0);
    expect(renders.PreviewContextForm ?? 0).toBe(0);
    // Once per keystroke, for the typed editor only.
    expect(renders.TemplateCodeEditor ?? 0).toBeLessThanOrEqual(8);
    expect(renders.TemplatePreviewPanel ?? 0).toBeLessThanOrEqual(8);
    expect(reconfigures(contentDispatch)).toBe(0);
    expect(systemDispatch).not.toHaveBeenCalled();
    // Behaviour is unchanged: the draft is dirty and previewed.
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByLabelText('Rendered prompt')).toHaveTextContent('Hello Jane Doe, thanks'),
    );
    expect(screen.getByText('Preview of your unsaved draft.')).toBeInTheDocument();

    // A new variable does reach the palette, the sample values and the unknown-variable warning.
    for (const k of Object.keys(renders)) renders[k] = 0;
    typeInto(content, ' {{business_name}} {{order_no}}');
    expect(renders.VariablePalette).toBeGreaterThan(0);
    expect(within(palette).getByRole('button', { name: 'Insert variable business_name' })).toHaveClass(
      'MuiChip-filled',
    );
    expect(await screen.findByRole('textbox', { name: 'business_name' })).toBeInTheDocument();
    expect(await screen.findByText(/Unknown variables:/)).toHaveTextContent('{{order_no}}');
    expect(reconfigures(contentDispatch)).toBe(0);
  });
});
