/**
 * JSON over fetch for the apps. A refusal arrives as RFC 9457 problem+json with facekey's stable
 * `code`; it becomes an ApiError whose message is a plain-language text for that code (i18n key
 * `problem.<code>`), never the raw server detail alone, which is written for developers.
 */
import { t } from './i18n';
import { problemText, type Problem } from './problem-text';

export { problemText, type Problem };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly problem: Problem,
  ) {
    super(problemText(code, problem, t));
    this.name = 'ApiError';
  }
}

export interface JsonRequest {
  readonly method?: string;
  readonly json?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Console and privacy sessions send their CSRF token on every write. */
  readonly csrfToken?: string;
  readonly signal?: AbortSignal;
}

/** Reads a response: the JSON body (undefined for 204), or throws ApiError. */
export async function readJson<T>(response: Response): Promise<T> {
  const type = response.headers.get('content-type') ?? '';
  const body: unknown = response.status === 204 ? undefined : type.includes('json') ? await response.json().catch(() => undefined) : await response.text();
  if (!response.ok) {
    const problem = (typeof body === 'object' && body !== null ? body : { status: response.status }) as Problem;
    throw new ApiError(response.status, problem.code ?? `http_${response.status}`, { ...problem, status: response.status });
  }
  return body as T;
}

export async function apiJson<T>(path: string, request: JsonRequest = {}): Promise<T> {
  const { method = request.json === undefined ? 'GET' : 'POST', json, headers = {}, csrfToken, signal } = request;
  const allHeaders: Record<string, string> = { accept: 'application/json, application/problem+json', ...headers };
  if (json !== undefined) allHeaders['content-type'] = 'application/json';
  if (csrfToken !== undefined) allHeaders['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: allHeaders,
      credentials: 'same-origin',
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      ...(signal ? { signal } : {}),
    });
  } catch {
    throw new ApiError(0, 'network', { status: 0 });
  }
  return readJson<T>(response);
}

export interface WebConfig {
  readonly networkUrl: string;
  readonly engine: { readonly id: string; readonly version: string };
  readonly currency: string;
  readonly languages: readonly string[];
  readonly challengeSteps: number;
  /** Where the face engine's models are (/models/<content version>: cached for good). */
  readonly modelsBase: string;
}

export function loadWebConfig(): Promise<WebConfig> {
  return apiJson<WebConfig>('/v1/web-config');
}

/** A message for anything thrown: ApiError's plain text, else the generic one. */
export function errorText(error: unknown): string {
  return error instanceof ApiError ? error.message : t('problem.generic');
}
