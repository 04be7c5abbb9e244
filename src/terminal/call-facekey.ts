/**
 * One HTTP exchange with facekey: JSON out, JSON back, and a non-2xx answer turned into a
 * FacekeyClientError carrying the service's problem+json code.
 */
import { FacekeyClientError, type ProblemDocument } from './facekey-client-error.js';

export type FetchFunction = (input: string | URL, init?: RequestInit) => Promise<Response>;

export async function callFacekey<T>(fetchImpl: FetchFunction, url: URL, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetchImpl(url, init);
  } catch (error) {
    // The URL is safe to name; headers (API keys, signatures) are never part of a message.
    throw new FacekeyClientError('unreachable', `cannot reach ${url.origin}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new FacekeyClientError(
      'invalid_response',
      `${url.pathname} answered ${response.status} with a body that is not JSON`,
      response.status,
    );
  }
  if (response.ok) return body as T;
  if (isProblem(body)) throw new FacekeyClientError(body.code, body.detail ?? body.title ?? body.code, response.status, body);
  throw new FacekeyClientError('invalid_response', `${url.pathname} answered ${response.status} without problem details`, response.status);
}

function isProblem(body: unknown): body is ProblemDocument {
  return typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string';
}
