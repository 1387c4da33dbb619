/**
 * A reverse proxy in front of the Kubernetes emulator that makes it look like an older or
 * smaller cluster: the group-versions it hides are missing from discovery and answer 404, as
 * they do on a cluster running Istio 1.21 (no security.istio.io/v1 nor networking.istio.io/v1)
 * or without cert-manager. A hidden resource of a group-version is missing from that
 * version's APIResourceList and answers 404 while the version stays served, as on Istio
 * 1.18–1.21, where security.istio.io/v1 serves AuthorizationPolicy and RequestAuthentication
 * but not yet PeerAuthentication. Everything else passes through unchanged, credentials included.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OlderApiServer {
  url: string;
  stop(): Promise<void>;
}

const NOT_FOUND = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });

/**
 * `hidden`: `security.istio.io/v1` hides one version; `cert-manager.io` hides the whole group;
 * `security.istio.io/v1/peerauthentications` hides one resource of a version.
 */
export async function startOlderApiServer(upstreamUrl: string, hidden: string[]): Promise<OlderApiServer> {
  const upstream = new URL(upstreamUrl);
  const hiddenGroups = hidden.filter((h) => !h.includes('/'));
  const hiddenVersions = hidden.filter((h) => h.split('/').length === 2);
  const hiddenResources = hidden.filter((h) => h.split('/').length === 3);
  const isHiddenResource = (path: string): boolean =>
    hiddenResources.some((gvr) => {
      const [group, version, plural] = gvr.split('/');
      return new RegExp(`^/apis/${group!.replace(/\./g, '\\.')}/${version}(?:/namespaces/[^/]+)?/${plural}(?:/|$)`).test(path);
    });
  const isHidden = (path: string): boolean =>
    hiddenGroups.some((g) => path === `/apis/${g}` || path.startsWith(`/apis/${g}/`)) ||
    hiddenVersions.some((gv) => path === `/apis/${gv}` || path.startsWith(`/apis/${gv}/`)) ||
    isHiddenResource(path);

  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const path = new URL(incoming.url ?? '/', 'http://proxy.invalid').pathname;
    if (isHidden(path)) {
      outgoing.writeHead(404, { 'content-type': 'application/json' }).end(NOT_FOUND);
      return;
    }
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          let body = Buffer.concat(chunks).toString('utf8');
          const group = /^\/apis(?:\/([^/]+))?$/.exec(path);
          if (group && answer.statusCode === 200) body = JSON.stringify(withoutHidden(JSON.parse(body), hiddenGroups, hiddenVersions));
          const groupVersion = /^\/apis\/([^/]+\/[^/]+)$/.exec(path);
          if (groupVersion && answer.statusCode === 200) body = JSON.stringify(withoutHiddenResources(JSON.parse(body), groupVersion[1]!, hiddenResources));
          const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(body)) };
          outgoing.writeHead(answer.statusCode ?? 502, headers).end(body);
        });
      },
    );
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

interface GroupVersion {
  groupVersion: string;
  version: string;
}
interface ApiGroup {
  name: string;
  versions: GroupVersion[];
  preferredVersion: GroupVersion;
}

/** An APIGroupList (/apis) or APIGroup (/apis/<g>) without what is hidden; the preferred version moves to the newest left. */
function withoutHidden(document: { kind: string; groups?: ApiGroup[] } & Partial<ApiGroup>, hiddenGroups: string[], hiddenVersions: string[]): unknown {
  const trim = (group: ApiGroup): ApiGroup => {
    const versions = group.versions.filter((v) => !hiddenVersions.includes(v.groupVersion));
    return { ...group, versions, preferredVersion: versions[0]! };
  };
  if (document.kind === 'APIGroupList') {
    return { ...document, groups: (document.groups ?? []).filter((g) => !hiddenGroups.includes(g.name)).map(trim) };
  }
  return trim(document as ApiGroup & { kind: string });
}

/** An APIResourceList (/apis/<g>/<v>) without the hidden resources of that group-version and their subresources. */
function withoutHiddenResources(document: { resources?: { name: string }[] }, groupVersion: string, hiddenResources: string[]): unknown {
  const plurals = hiddenResources.filter((gvr) => gvr.startsWith(`${groupVersion}/`)).map((gvr) => gvr.slice(groupVersion.length + 1));
  const resources = (document.resources ?? []).filter((r) => !plurals.includes(r.name.split('/')[0]!));
  return { ...document, resources };
}
