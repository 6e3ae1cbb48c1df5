import { formErrors, type SpecIssue } from './spec-validator.ts';

/** What a route handler answers: a status, an optional JSON body and extra headers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw bytes instead of JSON (attachment downloads). */
  raw?: { data: Buffer; contentType: string };
}

/** Discord JSON error codes the emulator answers with. */
export const ErrorCode = {
  General: 0,
  UnknownChannel: 10003,
  UnknownMessage: 10008,
  UnknownWebhook: 10015,
  UnknownInteraction: 10062,
  MaxWebhooks: 30007,
  Unauthorized: 40001,
  AlreadyAcknowledged: 40060,
  CannotEditOthersMessage: 50005,
  EmptyMessage: 50006,
  MissingPermissions: 50013,
  InvalidWebhookToken: 50027,
  InvalidFormBody: 50035,
  WrongChannelType: 50024,
  ArchivedThread: 50083,
  ThreadAlreadyCreated: 160004,
} as const;

export function apiError(status: number, code: number, message: string): Reply {
  return { status, body: { message, code } };
}

/** 400 `{ code: 50035, message: 'Invalid Form Body', errors }`, as Discord reports bad bodies. */
export function invalidFormBody(issues: SpecIssue[]): Reply {
  return {
    status: 400,
    body: { message: 'Invalid Form Body', code: ErrorCode.InvalidFormBody, errors: formErrors(issues) },
  };
}

export const unknownWebhook = () => apiError(404, ErrorCode.UnknownWebhook, 'Unknown Webhook');
export const unknownChannel = () => apiError(404, ErrorCode.UnknownChannel, 'Unknown Channel');
export const unknownMessage = () => apiError(404, ErrorCode.UnknownMessage, 'Unknown Message');
export const unknownInteraction = () => apiError(404, ErrorCode.UnknownInteraction, 'Unknown interaction');
export const missingPermissions = () => apiError(403, ErrorCode.MissingPermissions, 'Missing Permissions');
