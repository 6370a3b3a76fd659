/**
 * The per-account settings a person changes without editing JSON (Mail: Account Settings): each
 * as a row with its current value in words, and the change it makes to the account. Pure logic;
 * the form is src/ui/accountSettingsForm.ts.
 */
import { DEFAULT_POLICY } from '../sync/fetch';
import { DEFAULT_CHECK_MINUTES, LOGIN_METHODS, type AccountConfig, type LoginMethod } from './account';

export type SettingKey = 'leaveOnServer' | 'deleteAfterDays' | 'deleteWhenDeletedLocally' | 'sizeLimitKB' | 'checkIntervalMinutes' | 'loginMethod';

export interface SettingRow {
  key: SettingKey;
  label: string;
  /** The current value, in words. */
  value: string;
  /** How it is changed: a yes/no choice, a whole number, or one of a list. */
  kind: 'toggle' | 'number' | 'choice';
  /** For numbers: the current number, what to ask, and the allowed range. */
  number?: number;
  prompt?: string;
  range?: [number, number];
  choices?: readonly string[];
}

const yesNo = (on: boolean) => (on ? 'Yes' : 'No');

export function settingRows(account: AccountConfig): SettingRow[] {
  const policy = { ...DEFAULT_POLICY, ...account.policy };
  const days = policy.deleteAfterDays;
  const limit = account.sizeLimitKB ?? 0;
  const every = account.checkIntervalMinutes ?? DEFAULT_CHECK_MINUTES;
  return [
    { key: 'leaveOnServer', label: 'Leave mail on the server after downloading it', value: yesNo(!policy.deleteAfterDownload), kind: 'toggle' },
    { key: 'deleteAfterDays', label: 'Delete from the server after some days', value: days > 0 ? `after ${days} day${days === 1 ? '' : 's'}` : 'Never', kind: 'number', number: days, prompt: 'Days after download to delete a message from the server (0 = never)', range: [0, 36_500] },
    { key: 'deleteWhenDeletedLocally', label: 'Delete from the server when deleted here (Empty Trash)', value: yesNo(policy.deleteWhenDeletedLocally), kind: 'toggle' },
    { key: 'sizeLimitKB', label: 'Download only the headers of large messages', value: limit > 0 ? `over ${limit} KB` : 'No limit', kind: 'number', number: limit, prompt: 'Size in KB above which only the headers are downloaded (0 = no limit)', range: [0, 10_000_000] },
    { key: 'checkIntervalMinutes', label: 'Check for new mail automatically', value: every > 0 ? `every ${every} minute${every === 1 ? '' : 's'}` : 'Off', kind: 'number', number: every, prompt: 'Minutes between automatic checks (0 = off)', range: [0, 1440] },
    { key: 'loginMethod', label: 'Login method', value: account.loginMethod && account.loginMethod !== 'auto' ? account.loginMethod : 'Automatic', kind: 'choice', choices: LOGIN_METHODS },
  ];
}

/** Checks a typed number for a row; the message to show, or undefined when it is fine. */
export function checkNumber(row: SettingRow, text: string): string | undefined {
  const [min, max] = row.range ?? [0, Number.MAX_SAFE_INTEGER];
  if (!/^\d+$/.test(text.trim())) return 'Enter a whole number.';
  const n = Number(text.trim());
  return n < min || n > max ? `Enter a number from ${min} to ${max}.` : undefined;
}

/** The account with one setting changed (a toggle flips; numbers and choices take `value`). */
export function withSetting(account: AccountConfig, key: SettingKey, value?: number | LoginMethod): AccountConfig {
  const policy = { ...account.policy };
  const current = { ...DEFAULT_POLICY, ...account.policy };
  switch (key) {
    case 'leaveOnServer':
      return { ...account, policy: { ...policy, deleteAfterDownload: !current.deleteAfterDownload } };
    case 'deleteWhenDeletedLocally':
      return { ...account, policy: { ...policy, deleteWhenDeletedLocally: !current.deleteWhenDeletedLocally } };
    case 'deleteAfterDays':
      return { ...account, policy: { ...policy, deleteAfterDays: Number(value) } };
    case 'sizeLimitKB':
      return { ...account, sizeLimitKB: Number(value) };
    case 'checkIntervalMinutes':
      return { ...account, checkIntervalMinutes: Number(value) };
    case 'loginMethod':
      return { ...account, loginMethod: value as LoginMethod };
  }
}
