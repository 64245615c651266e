// What this server can do beyond what every Kassa server has, read from its OpenAPI document
// once: the portal offers an action only when the server documents its endpoint, so a newer
// portal on an older server shows no button that would 404.

import type { Client } from '$lib/http/client';

let paths: Promise<Set<string>> | null = null;

/** Every "METHOD /path" the server documents. */
export function documented(api: Client): Promise<Set<string>> {
  paths ??= api
    .request<{ paths?: Record<string, Record<string, unknown>> }>('GET', '/api/openapi.json', { anonymous: true })
    .then((doc) => {
      const out = new Set<string>();
      for (const [path, methods] of Object.entries(doc.paths ?? {})) {
        for (const method of Object.keys(methods)) out.add(`${method.toUpperCase()} ${path}`);
      }
      return out;
    })
    .catch(() => {
      paths = null;
      return new Set<string>();
    });
  return paths;
}

/** Whether the server documents `method path` (path as in the document, with {id}). */
export async function hasEndpoint(api: Client, method: string, path: string): Promise<boolean> {
  return (await documented(api)).has(`${method.toUpperCase()} ${path}`);
}
