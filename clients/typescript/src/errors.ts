/**
 * Error classes: the official SDK 0.2.0's (same names, constructor arguments and fields:
 * `statusCode`, `code`, `details`, `retryAfter`), plus subclasses for what it left to the
 * base class (403, 409, >= 500, error events in a stream, timeouts).
 *
 * Every error raised for an HTTP answer also carries `body` (the decoded error body),
 * `errorCode` (the server's `error` string, e.g. `INVALID_REQUEST`) and `requestId`
 * (the `X-Request-Id` header), when there were any.
 */

/** An error body as the server sends it: `{success: false, error, message, details}`. */
export interface ErrorBody {
  success?: boolean;
  error?: string;
  message?: string;
  details?: any;
  retryAfter?: number;
  [key: string]: unknown;
}

export class ChatRoutesError extends Error {
  /** The decoded error body, when the error came from an HTTP answer. */
  body?: ErrorBody;
  /** The server's error code (`body.error`), e.g. `NOT_FOUND`, `INVALID_REQUEST`. */
  errorCode?: string;
  /** The server's `X-Request-Id` for this answer, to quote to an operator. */
  requestId?: string;

  constructor(
    message: string,
    public statusCode: number = 500,
    public code?: string,
    public details?: any,
  ) {
    super(message);
    this.name = 'ChatRoutesError';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export class AuthenticationError extends ChatRoutesError {
  constructor(message: string = 'Authentication failed', details?: any) {
    super(message, 401, 'AUTHENTICATION_ERROR', details);
    this.name = 'AuthenticationError';
  }
}

export class ValidationError extends ChatRoutesError {
  constructor(message: string = 'Validation failed', details?: any) {
    super(message, 400, 'VALIDATION_ERROR', details);
    this.name = 'ValidationError';
  }

  /** The request field the server named as wrong (`details.field`), if it named one. */
  get field(): string | undefined {
    const field = this.details?.field;
    return typeof field === 'string' ? field : undefined;
  }
}

export class NotFoundError extends ChatRoutesError {
  constructor(message: string = 'Resource not found', details?: any) {
    super(message, 404, 'NOT_FOUND', details);
    this.name = 'NotFoundError';
  }
}

export class RateLimitError extends ChatRoutesError {
  constructor(
    message: string = 'Rate limit exceeded',
    /** Seconds to wait before trying again (body `retryAfter`, else the `Retry-After` header). */
    public retryAfter?: number,
    details?: any,
  ) {
    super(message, 429, 'RATE_LIMIT_EXCEEDED', details);
    this.name = 'RateLimitError';
  }
}

export class NetworkError extends ChatRoutesError {
  constructor(message: string = 'Network request failed', details?: any) {
    super(message, 0, 'NETWORK_ERROR', details);
    this.name = 'NetworkError';
  }
}

/** No answer within the client's `timeout` (milliseconds), after every allowed retry. */
export class TimeoutError extends NetworkError {
  constructor(message: string = 'Request timed out', details?: any) {
    super(message, details);
    this.code = 'TIMEOUT';
    this.name = 'TimeoutError';
  }
}

/** 403: authenticated, but not allowed (e.g. a guest session calling an account endpoint). */
export class PermissionDeniedError extends ChatRoutesError {
  constructor(message: string = 'Permission denied', details?: any) {
    super(message, 403, 'PERMISSION_DENIED', details);
    this.name = 'PermissionDeniedError';
  }
}

/** 409: the request conflicts with the current state (e.g. a reply generated elsewhere). */
export class ConflictError extends ChatRoutesError {
  constructor(
    message: string = 'Conflict',
    details?: any,
    /** Seconds after which trying again may succeed, when the server said. */
    public retryAfter?: number,
  ) {
    super(message, 409, 'CONFLICT', details);
    this.name = 'ConflictError';
  }
}

/** 402: the branch's or conversation's budget has too little left for the send; `details`:
 * `{budget: 'branch' | 'conversation', id, limit: {maxTokens, maxCost}, spent: {tokens, cost}}`. */
export class BudgetExceededError extends ChatRoutesError {
  constructor(message: string = 'Budget exceeded', details?: any) {
    super(message, 402, 'BUDGET_EXCEEDED', details);
    this.name = 'BudgetExceededError';
  }
}

/** >= 500: the server or the model provider behind it failed. */
export class ServerError extends ChatRoutesError {
  constructor(message: string = 'Server error', statusCode: number = 500, details?: any) {
    super(message, statusCode, 'SERVER_ERROR', details);
    this.name = 'ServerError';
  }
}

/** An `{"type": "error"}` event in a stream: the reply failed after it started. */
export class StreamError extends ServerError {
  constructor(message: string = 'The stream failed', errorCode?: string, details?: any) {
    super(message, 500, details);
    this.code = 'STREAM_ERROR';
    this.errorCode = errorCode;
    this.name = 'StreamError';
  }
}

function retryAfterOf(body: ErrorBody, headerSeconds: number | undefined): number | undefined {
  const fromBody = typeof body.retryAfter === 'number' ? body.retryAfter : undefined;
  if (fromBody !== undefined) return fromBody;
  return headerSeconds === undefined ? undefined : Math.ceil(headerSeconds);
}

/** The error for an HTTP error answer, mapped by status as the official SDK maps it. */
export function errorFromResponse(
  status: number,
  body: ErrorBody,
  retryAfterHeader?: number,
  requestId?: string,
): ChatRoutesError {
  const message = body.message || body.error || 'An error occurred';
  const details = body.details;
  let error: ChatRoutesError;
  if (status === 400) error = new ValidationError(message, details);
  else if (status === 401) error = new AuthenticationError(message, details);
  else if (status === 402 && body.error === 'BUDGET_EXCEEDED') error = new BudgetExceededError(message, details);
  else if (status === 403) error = new PermissionDeniedError(message, details);
  else if (status === 404) error = new NotFoundError(message, details);
  else if (status === 409) error = new ConflictError(message, details, retryAfterOf(body, retryAfterHeader));
  else if (status === 429) error = new RateLimitError(message, retryAfterOf(body, retryAfterHeader), details);
  else if (status >= 500) error = new ServerError(message, status, details);
  else error = new ChatRoutesError(message, status, body.error, details);
  error.body = body;
  error.errorCode = body.error;
  error.requestId = requestId;
  return error;
}
