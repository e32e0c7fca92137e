/**
 * Styles (an `sx` value) that hide an element from sight but not from screen readers: a table
 * behind a chart, "You:" before a chat bubble. Not `display: none`, which hides it from both.
 */
export const visuallyHidden = {
  border: 0,
  clip: 'rect(0 0 0 0)',
  height: '1px',
  margin: '-1px',
  overflow: 'hidden',
  padding: 0,
  position: 'absolute',
  whiteSpace: 'nowrap',
  width: '1px',
} as const;
