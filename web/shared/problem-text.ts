/**
 * A refusal in plain words: the text for the problem's stable `code` (i18n key `problem.<code>`),
 * else a generic text for its status class. Never the raw `detail`, which is written for developers.
 */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly code?: string;
  readonly detail?: string;
  /** An extension member: why, where the code has several causes (a liveness session refused: `liveness_session_used`, …). */
  readonly reason?: string;
}

/** The plain words for a problem: the known code's text, or the generic text for its status class. */
export function problemText(code: string, problem: Problem, lookup: (key: string) => string): string {
  const known = lookup(`problem.${code}`);
  if (known !== `problem.${code}`) return known;
  const status = problem.status ?? 0;
  return lookup(status >= 500 ? 'problem.server' : status === 0 ? 'problem.network' : 'problem.generic');
}
