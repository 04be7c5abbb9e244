import { STATUS_CODES } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import { problem, sendProblem } from './problem-details.js';

/**
 * Errors raised before routing, which setErrorHandler never sees: a URL that does not decode
 * (FST_ERR_BAD_URL) goes through `frameworkErrors`; a request the HTTP parser rejects (431 headers
 * too large, 400 malformed, 413 URI too long…) reaches `clientErrorHandler` with only the socket.
 * Both answer problem+json like every other error.
 */
export const PROBLEM_CLIENT_ERRORS: Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> = {
  frameworkErrors: (error, request, reply) => {
    const detail = error.code === 'FST_ERR_BAD_URL' ? 'the request URL is not valid' : 'the request could not be routed';
    void sendProblem(reply, request, problem(400, 'invalid_request', detail));
  },
  clientErrorHandler: (error, socket) => {
    if (!socket.writable) return;
    const code = (error as NodeJS.ErrnoException).code;
    const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify(problem(status, status === 431 ? 'headers_too_large' : 'invalid_request', STATUS_CODES[status] ?? 'bad request'));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  },
};
