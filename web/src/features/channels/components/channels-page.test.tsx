import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { apiError, BUSINESS_ID, FakeApi } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { ChannelsPage } from './channels-page';
import { textOn } from './widget-preview';

describe('channels page', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
  });
  const open = () => renderRoutes([route('/channels', <ChannelsPage />)], '/channels');
  const section = (name: string) => within(screen.getByRole('region', { name }));

  it('shows the webhook URLs to paste into Meta and the widget snippet', async () => {
    open();
    const whatsapp = within(await screen.findByRole('region', { name: 'WhatsApp' }));
    expect(whatsapp.getByText('Not connected')).toBeInTheDocument();
    expect(whatsapp.getByLabelText('Callback URL')).toHaveValue('https://icmp.example.com/webhook/whatsapp');
    expect(section('Messenger').getByLabelText('Callback URL')).toHaveValue(
      'https://icmp.example.com/webhook/messenger',
    );
    expect(section('Website chat widget').getByLabelText('Widget snippet')).toHaveTextContent(
      'https://icmp.example.com/widget.js',
    );
  });

  it('connects WhatsApp, sending only the secrets typed and never showing them again', async () => {
    const user = userEvent.setup();
    open();
    const whatsapp = within(await screen.findByRole('region', { name: 'WhatsApp' }));
    await user.type(whatsapp.getByLabelText(/Phone number ID/), '1234567890');
    await user.type(whatsapp.getByLabelText(/Access token/), 'EAAG-secret');
    await user.click(whatsapp.getByRole('button', { name: 'Connect' }));
    await waitFor(() =>
      expect(api.find('PUT', `/api/businesses/${BUSINESS_ID}/channels/whatsapp`)).toHaveLength(1),
    );
    expect(api.find('PUT', `/api/businesses/${BUSINESS_ID}/channels/whatsapp`)[0]?.body).toEqual({
      phone_number_id: '1234567890',
      access_token: 'EAAG-secret',
    });
    expect(await whatsapp.findByText('Connected')).toBeInTheDocument();
    expect(whatsapp.getByLabelText(/Access token/)).toHaveValue('');
    expect(whatsapp.getAllByText('Stored — leave empty to keep it').length).toBeGreaterThan(0);
  });

  it('sends a test message once connected and shows what Meta answered', async () => {
    const user = userEvent.setup();
    api.channels = {
      ...api.channels,
      whatsapp: {
        ...api.channels.whatsapp,
        phone_number_id: '1234567890',
        has_access_token: true,
        connected: true,
      },
    };
    open();
    const whatsapp = within(await screen.findByRole('region', { name: 'WhatsApp' }));
    await user.type(whatsapp.getByLabelText(/Customer phone number/), '5511987654321');
    await user.click(whatsapp.getByRole('button', { name: 'Send test' }));
    expect(await whatsapp.findByText(/Sent to 5511987654321 \(message id wamid.TEST1\)/)).toBeInTheDocument();
    expect(api.find('POST', `/api/businesses/${BUSINESS_ID}/channels/whatsapp/test`)[0]?.body).toEqual({
      to: '5511987654321',
    });
    expect(section('Messenger').queryByRole('button', { name: 'Send test' })).toBeNull();
  });

  it('shows the server’s field error next to the field', async () => {
    const user = userEvent.setup();
    api.override('PUT /api/businesses/:id/channels/whatsapp', () =>
      apiError(409, 'CONFLICT', 'This phone number id is connected to another business', {
        phone_number_id: 'is connected to another business',
      }),
    );
    open();
    const whatsapp = within(await screen.findByRole('region', { name: 'WhatsApp' }));
    await user.type(whatsapp.getByLabelText(/Phone number ID/), '42');
    await user.click(whatsapp.getByRole('button', { name: 'Connect' }));
    expect(await whatsapp.findByText('is connected to another business')).toBeInTheDocument();
  });

  it('enables the widget for an origin; the preview follows the title and colour as they are typed', async () => {
    const user = userEvent.setup();
    open();
    const web = within(await screen.findByRole('region', { name: 'Website chat widget' }));
    await user.click(web.getByRole('switch', { name: 'Widget enabled' }));
    await user.type(web.getByLabelText('Allowed origins'), 'https://shop.example/');
    const title = web.getByLabelText('Title');
    await user.clear(title);
    await user.type(title, 'Bike help');
    const colour = web.getByLabelText('Colour');
    await user.clear(colour);
    await user.type(colour, '#ffd600');
    expect(web.getByRole('img', { name: /Widget preview: panel titled “Bike help”/ })).toBeInTheDocument();
    await user.click(web.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.find('PUT', `/api/businesses/${BUSINESS_ID}/channels/web`)).toHaveLength(1),
    );
    expect(api.find('PUT', `/api/businesses/${BUSINESS_ID}/channels/web`)[0]?.body).toEqual({
      enabled: true,
      allowed_origins: ['https://shop.example'],
      title: 'Bike help',
      greeting: 'Hi! How can we help you today?',
      color: '#ffd600',
    });
    expect(await web.findByText('On')).toBeInTheDocument();
  });

  it('issues a new publishable key after confirmation', async () => {
    const user = userEvent.setup();
    open();
    const web = within(await screen.findByRole('region', { name: 'Website chat widget' }));
    await user.click(web.getByRole('button', { name: 'New publishable key' }));
    await user.click(await screen.findByRole('button', { name: 'Issue new key' }));
    await waitFor(() => expect(web.getByLabelText('Widget snippet')).toHaveTextContent('pk_rotated_'));
  });

  it('picks readable text on the brand colour', () => {
    expect(textOn('#ffd600')).toBe('#000000');
    expect(textOn('#1565c0')).toBe('#ffffff');
  });
});
