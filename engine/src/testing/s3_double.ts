import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the three S3 calls the poster store makes (PutObject,
 * GetObject, DeleteObject), path-style (`/bucket/key`), as the official SDK
 * sends them with `forcePathStyle` and an endpoint override. It keeps objects
 * in memory, answers S3's error XML for a missing key or bucket, decodes an
 * `aws-chunked` body, and refuses a request that is not SigV4-signed, so a
 * client that forgot its credentials fails here as it would on S3. Tests only.
 */
export type S3Double = {
  url: string;
  bucket: string;
  objects: Map<string, { bytes: Buffer; contentType: string; cacheControl: string }>;
  /** Every request as `METHOD /path`, in order. */
  requests: string[];
  close(): Promise<void>;
};

function errorXml(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>double</RequestId></Error>`);
}

/** `size[;chunk-signature=…]\r\n<bytes>\r\n` … `0\r\n<trailers>\r\n\r\n` → the bytes. */
function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd === -1) throw new Error('aws-chunked body without a chunk header');
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size)) throw new Error('aws-chunked chunk size is not hex');
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startS3Double(bucket = 'tickr-posters-test'): Promise<S3Double> {
  const objects: S3Double['objects'] = new Map();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://double').pathname);
      requests.push(`${req.method} ${path}`);
      const body = await bodyOf(req);
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) return errorXml(res, 403, 'AccessDenied', 'The request is not signed with SigV4.');
      const [, name = '', ...rest] = path.split('/');
      const key = rest.join('/');
      if (name !== bucket) return errorXml(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
      if (key === '') return errorXml(res, 400, 'InvalidRequest', 'The double serves objects only.');
      if (req.method === 'PUT') {
        const chunked = String(req.headers['content-encoding'] ?? '').includes('aws-chunked') || req.headers['x-amz-decoded-content-length'] !== undefined;
        const bytes = chunked ? decodeAwsChunked(body) : body;
        objects.set(key, { bytes, contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'), cacheControl: String(req.headers['cache-control'] ?? '') });
        res.writeHead(200, { etag: `"${createHash('md5').update(bytes).digest('hex')}"` });
        return res.end();
      }
      if (req.method === 'GET') {
        const object = objects.get(key);
        if (object === undefined) return errorXml(res, 404, 'NoSuchKey', 'The specified key does not exist.');
        res.writeHead(200, { 'content-type': object.contentType, 'content-length': object.bytes.length, etag: `"${createHash('md5').update(object.bytes).digest('hex')}"` });
        return res.end(object.bytes);
      }
      if (req.method === 'DELETE') {
        objects.delete(key);
        res.writeHead(204);
        return res.end();
      }
      return errorXml(res, 405, 'MethodNotAllowed', 'The double answers PUT, GET and DELETE.');
    })().catch((error: unknown) => errorXml(res, 500, 'InternalError', String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bucket,
    objects,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
