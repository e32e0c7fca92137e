import { useState } from 'react';

export type NotifyPermission = 'unsupported' | NotificationPermission;

function current(): NotifyPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export function canNotify(): boolean {
  return current() === 'granted';
}

/** The browser's notification permission, asked only when `request` runs (from a button, never on load). */
export function useNotificationPermission() {
  const [permission, setPermission] = useState<NotifyPermission>(current);
  async function request() {
    if (typeof Notification === 'undefined') return;
    setPermission(await Notification.requestPermission());
  }
  return { permission, request };
}
