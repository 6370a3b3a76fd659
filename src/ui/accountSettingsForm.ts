/**
 * Mail: Account Settings — every per-account setting changed without editing JSON: a list of the
 * settings with their values (src/accounts/accountSettings.ts); choosing one changes it (a toggle
 * flips, a number or a login method is asked for) and saves it where the account is defined.
 */
import * as vscode from 'vscode';
import { checkNumber, settingRows, withSetting } from '../accounts/accountSettings';
import type { LoginMethod } from '../accounts/account';
import { pickAccount } from './accountWizard';
import type { MailService } from './mailService';
import { saveAccounts } from './settings';

export async function accountSettings(mail: MailService, arg?: unknown): Promise<void> {
  let account = await pickAccount(mail, 'Account Settings', arg);
  while (account) {
    const rows = settingRows(account);
    const pick = await vscode.window.showQuickPick(
      rows.map((row) => ({ label: row.label, description: row.value, row })),
      { title: `Account Settings — ${account.address}`, placeHolder: 'Choose a setting to change (Escape when done)', ignoreFocusOut: true },
    );
    if (!pick) return;
    const { row } = pick;
    let value: number | LoginMethod | undefined;
    if (row.kind === 'number') {
      const text = await vscode.window.showInputBox({ title: row.label, prompt: row.prompt, value: String(row.number ?? 0), ignoreFocusOut: true, validateInput: (t) => checkNumber(row, t) });
      if (text === undefined) continue;
      value = Number(text.trim());
    } else if (row.kind === 'choice') {
      const choice = await vscode.window.showQuickPick(
        (row.choices ?? []).map((c) => ({ label: c === 'auto' ? 'Automatic' : c, value: c as LoginMethod })),
        { title: row.label, placeHolder: `Now: ${row.value}`, ignoreFocusOut: true },
      );
      if (!choice) continue;
      value = choice.value;
    }
    const changed = withSetting(account, row.key, value);
    await saveAccounts(account.scope ?? 'user', (list) => list.map((a) => (a.id === changed.id ? changed : a)));
    mail.reloadAccounts();
    account = mail.account(changed.id);
  }
}
