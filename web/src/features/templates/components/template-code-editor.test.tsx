import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { TemplateCodeEditor } from './template-code-editor';

describe('template code editor and the keyboard', () => {
  it('lets Tab leave the editor for the next field instead of indenting (no keyboard trap)', async () => {
    const user = userEvent.setup();
    let value = 'Hello {{customer_name}}';
    render(
      <>
        <TemplateCodeEditor
          label="Content"
          value={value}
          onChange={(v) => {
            value = v;
          }}
          variables={[]}
        />
        <button type="button">Next field</button>
      </>,
    );
    const editor = await screen.findByRole('textbox', { name: 'Content' });
    await user.click(editor);
    expect(editor).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Next field' })).toHaveFocus();
    expect(value).toBe('Hello {{customer_name}}');
  });
});
