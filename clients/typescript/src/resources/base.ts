import type { Query, RequestOptions, Transport } from '../http';

/** A path segment, escaped. */
export const seg = (value: string): string => encodeURIComponent(value);

/** `body.data`, or the whole body when the server sent no envelope. */
export function dataOf<T>(body: any): T {
  return (body && typeof body === 'object' && 'data' in body ? body.data : body) as T;
}

/** `data[key]`, or `data` itself when it has no such key. */
export function itemOf<T>(body: any, key: string): T {
  const data = dataOf<any>(body);
  return (data && typeof data === 'object' && key in data ? data[key] : data) as T;
}

/** `data[key]` as a list (or `data` itself when it is the list). */
export function itemsOf<T>(body: any, key: string): T[] {
  const data = dataOf<any>(body);
  if (Array.isArray(data)) return data as T[];
  const items = data && typeof data === 'object' ? data[key] : undefined;
  return Array.isArray(items) ? (items as T[]) : [];
}

export abstract class Resource {
  constructor(protected readonly transport: Transport) {}

  protected _get<T = any>(path: string, query?: Query, options?: RequestOptions): Promise<T> {
    return this.transport.json<T>({ method: 'GET', path, query, options });
  }

  protected _post<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.transport.json<T>({ method: 'POST', path, body, options });
  }

  protected _patch<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.transport.json<T>({ method: 'PATCH', path, body, options });
  }

  protected _delete<T = any>(path: string, options?: RequestOptions): Promise<T> {
    return this.transport.json<T>({ method: 'DELETE', path, options });
  }
}
