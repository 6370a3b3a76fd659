import * as vscode from 'vscode';

export interface ProgressStep {
  message?: string;
  increment?: number;
}

/** How long a task runs before its progress is shown. */
export const PROGRESS_DELAY_MS = 400;

/**
 * `vscode.window.withProgress`, shown only once the task has run for `delayMs`. A connection test to a
 * near server, or a fetch with nothing new, ends in milliseconds: its notification would only flash,
 * and VS Code drops any toast past three in 0.8 s (its spam guard), so a run of flashes hid the message
 * that followed them ("… is set up", with its Fetch Mail Now button). Steps reported before the
 * notification shows are replayed into it; cancelling it aborts `signal`.
 */
export async function withDelayedProgress<T>(
  options: { location: vscode.ProgressLocation; title: string; cancellable?: boolean },
  task: (report: (step: ProgressStep) => void, signal: AbortSignal) => Promise<T>,
  delayMs = PROGRESS_DELAY_MS,
): Promise<T> {
  const controller = new AbortController();
  let shown: vscode.Progress<ProgressStep> | undefined;
  let early: ProgressStep = {};
  const report = (step: ProgressStep): void => {
    if (shown) return shown.report(step);
    early = { message: step.message ?? early.message, increment: (early.increment ?? 0) + (step.increment ?? 0) };
  };
  const running = task(report, controller.signal);
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    running.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), delayMs))),
  ]);
  clearTimeout(timer);
  if (ended) return running;
  return vscode.window.withProgress(options, (progress, token) => {
    token.onCancellationRequested(() => controller.abort());
    shown = progress;
    if (early.message !== undefined || early.increment) progress.report(early);
    return running;
  });
}
