import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { beforeEach, describe, expect, it } from 'vitest';
import { Loading } from '@/components/loading';
import { PageHeader } from '@/components/page-header';
import { FakeApi } from '@/test/fake-api';
import { renderRoutes } from '@/test/render';
import { AppShell } from './app-shell';

/** Two plain pages inside the real shell: what a keyboard or screen reader user meets on each. */
function FirstPage() {
  const [filter, setFilter] = useState('');
  return (
    <>
      <PageHeader title="First page" />
      <label>
        Filter
        <input value={filter} onChange={(e) => setFilter(e.target.value)} />
      </label>
      <Link to="/second">To the second page</Link>
    </>
  );
}

function SecondPage() {
  return (
    <>
      <PageHeader title="Second page" documentTitle="The second" />
      <Link to="/first">Back to the first page</Link>
    </>
  );
}

/** A page that shows a spinner until its data is there, as the detail pages do. */
function SlowPage() {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setReady(true), 50);
    return () => clearTimeout(timer);
  }, []);
  return ready ? <PageHeader title="Slow page" /> : <Loading />;
}

function open(path: string) {
  return renderRoutes(
    [
      {
        element: <AppShell />,
        children: [
          { path: '/first', element: <FirstPage /> },
          { path: '/second', element: <SecondPage /> },
          { path: '/slow', element: <SlowPage /> },
        ],
      },
    ],
    path,
  );
}

describe('page navigation for keyboard and screen reader users', () => {
  beforeEach(() => {
    new FakeApi().install(); // a business key of "Acme Bikes"
    document.title = 'before';
  });

  it('the first Tab reaches "Skip to main content", which moves the focus to <main>', async () => {
    const user = userEvent.setup();
    open('/first');
    await screen.findByRole('heading', { level: 1, name: 'First page' });
    await user.tab();
    const skip = screen.getByRole('link', { name: 'Skip to main content' });
    expect(skip).toHaveFocus();
    expect(skip).toHaveAttribute('href', '#main');
    await user.keyboard('{Enter}');
    const main = screen.getByRole('main');
    expect(main).toHaveAttribute('id', 'main');
    expect(main).toHaveFocus();
    // Tab continues inside the page, past the top bar and the navigation.
    await user.tab();
    expect(main).toContainElement(document.activeElement as HTMLElement);
  });

  it('names every page in the document title with the business', async () => {
    const user = userEvent.setup();
    open('/first');
    await screen.findByRole('heading', { level: 1, name: 'First page' });
    await waitFor(() => expect(document.title).toBe('First page · Acme Bikes · ICMP'));
    await user.click(screen.getByRole('link', { name: 'To the second page' }));
    await screen.findByRole('heading', { level: 1, name: 'Second page' });
    await waitFor(() => expect(document.title).toBe('The second · Acme Bikes · ICMP'));
  });

  it('leaves the focus alone on the first load', async () => {
    open('/first');
    const heading = await screen.findByRole('heading', { level: 1, name: 'First page' });
    expect(heading).toHaveAttribute('tabindex', '-1');
    expect(heading).not.toHaveFocus();
    expect(document.body).toHaveFocus();
  });

  it('moves the focus to the new page heading after a navigation, also back and forth', async () => {
    const user = userEvent.setup();
    const { router } = open('/first');
    await screen.findByRole('heading', { level: 1, name: 'First page' });
    await user.click(screen.getByRole('link', { name: 'To the second page' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Second page' })).toHaveFocus();
    await user.click(screen.getByRole('link', { name: 'Back to the first page' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'First page' })).toHaveFocus();
    await act(() => router.navigate(-1));
    expect(await screen.findByRole('heading', { level: 1, name: 'Second page' })).toHaveFocus();
  });

  it('focuses the heading of a page that loads first, once it is there', async () => {
    const { router } = open('/first');
    await screen.findByRole('heading', { level: 1, name: 'First page' });
    await act(() => router.navigate('/slow'));
    const heading = await screen.findByRole('heading', { level: 1, name: 'Slow page' });
    // The focus follows the heading's appearance by an effect: wait for it rather than racing it.
    await waitFor(() => expect(heading).toHaveFocus());
    await waitFor(() => expect(document.title).toBe('Slow page · Acme Bikes · ICMP'));
  });

  it('keeps the focus where it is when only the query string changes (a list filter)', async () => {
    const user = userEvent.setup();
    const { router } = open('/first');
    await screen.findByRole('heading', { level: 1, name: 'First page' });
    const filter = screen.getByRole('textbox', { name: 'Filter' });
    await user.click(filter);
    await act(() => router.navigate('/first?q=bikes'));
    expect(router.state.location.search).toBe('?q=bikes');
    expect(filter).toHaveFocus();
    expect(screen.getByRole('heading', { level: 1, name: 'First page' })).not.toHaveFocus();
  });
});
