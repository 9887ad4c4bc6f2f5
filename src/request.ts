import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import type { ErrorName } from './wire';

/**
 * The URL namespace of the AutoFlow Lab server extension.
 */
export const API_NAMESPACE = 'autoflow/api';

/**
 * Call the AutoFlow Lab server extension.
 *
 * @param endPoint API end point, relative to `{baseUrl}autoflow/api/`
 * @param init Initial values for the request
 * @param serverSettings The server settings to use for the request
 * @returns The response body interpreted as JSON
 * @throws {ServerConnection.NetworkError} when the server cannot be reached
 * @throws {ServerConnection.ResponseError} on a non-2xx answer; its `message`
 *   is the server's `message` field when the body carries one
 */
export async function requestAPI<T>(
  endPoint: string,
  init: RequestInit = {},
  serverSettings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const text = await Private.fetchText(endPoint, init, serverSettings);
  if (text.length === 0) {
    return undefined as T;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined as T;
  }
}

/**
 * Call the AutoFlow Lab server extension for a text body (a run's log).
 *
 * @throws as {@link requestAPI}
 */
export function requestText(
  endPoint: string,
  init: RequestInit = {},
  serverSettings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<string> {
  return Private.fetchText(endPoint, init, serverSettings);
}

/**
 * A non-2xx answer of the server extension, with its error body's fields.
 */
export class AutoflowResponseError extends ServerConnection.ResponseError {
  constructor(response: Response, message: string, body: unknown) {
    super(response, message);
    const fields = Private.isObject(body) ? body : {};
    this.errorName =
      typeof fields.error === 'string' ? (fields.error as ErrorName) : null;
    this.field = typeof fields.field === 'string' ? fields.field : null;
  }

  /**
   * The server's name for the error (such as `Conflict`), when it sends one.
   */
  readonly errorName: ErrorName | null;

  /**
   * The request field at fault, when the server names one.
   */
  readonly field: string | null;
}

namespace Private {
  export async function fetchText(
    endPoint: string,
    init: RequestInit,
    serverSettings: ServerConnection.ISettings
  ): Promise<string> {
    // Join the path only: a query string must not be normalised as a path.
    const [path, query] = Private.splitQuery(endPoint);
    const requestUrl =
      URLExt.join(serverSettings.baseUrl, API_NAMESPACE, path) + query;

    let response: Response;
    try {
      response = await ServerConnection.makeRequest(
        requestUrl,
        init,
        serverSettings
      );
    } catch (error) {
      throw new ServerConnection.NetworkError(error as TypeError);
    }

    const text = await response.text();
    let data: unknown = undefined;
    if (text.length > 0) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }

    if (!response.ok) {
      throw new AutoflowResponseError(
        response,
        Private.errorMessage(response, data),
        data
      );
    }
    return text;
  }

  export function isObject(
    value: unknown
  ): value is { [key: string]: unknown } {
    return typeof value === 'object' && value !== null;
  }

  /**
   * Split `path?query` into `path` and `?query` (empty when absent).
   */
  export function splitQuery(endPoint: string): [string, string] {
    const index = endPoint.indexOf('?');
    return index < 0
      ? [endPoint, '']
      : [endPoint.slice(0, index), endPoint.slice(index)];
  }

  /**
   * The server's own `message`, else a short description of the status.
   */
  export function errorMessage(response: Response, data: unknown): string {
    if (
      typeof data === 'object' &&
      data !== null &&
      'message' in data &&
      typeof data.message === 'string' &&
      data.message.length > 0
    ) {
      return data.message;
    }
    return `AutoFlow server answered ${response.status} ${response.statusText}`.trim();
  }
}
