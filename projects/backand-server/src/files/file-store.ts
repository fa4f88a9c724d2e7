import { existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { HttpError } from '../http/http-error';

/** Names a stored file may have: no paths, no control characters. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,199}$/;

/**
 * Files uploaded through file actions, kept on disk as `<root>/<object>/<filename>` and served
 * from `/files/<object>/<filename>` to callers who may read them (see `file-downloads.ts`).
 */
export class FileStore {
  private readonly temporary: boolean;

  /** @param root the folder; without it a temporary folder, removed by {@link dispose}. */
  constructor(root?: string) {
    this.temporary = root === undefined;
    // A configured folder is made on the first upload, so that apps without files leave none.
    this.root = root ?? mkdtempSync(path.join(tmpdir(), 'backand-files-'));
  }

  /** The folder files are kept in. */
  readonly root: string;

  /** Stores a file (replacing one of the same name). Returns its path below `/files/`. */
  save(object: string, filename: unknown, data: Buffer): string {
    const name = safeName(filename);
    mkdirSync(path.join(this.root, object), { recursive: true });
    writeFileSync(path.join(this.root, object, name), data);
    return `${object}/${encodeURIComponent(name)}`;
  }

  /** Whether a file of that name is stored. @throws HttpError 400 for names that are not plain. */
  exists(object: string, filename: unknown): boolean {
    return existsSync(path.join(this.root, object, safeName(filename)));
  }

  /** Removes a file. @throws HttpError 404 when there is none of that name. */
  remove(object: string, filename: unknown): void {
    const name = safeName(filename);
    try {
      unlinkSync(path.join(this.root, object, name));
    } catch {
      throw new HttpError(404, `No file "${name}" in "${object}"`);
    }
  }

  /** Removes a temporary folder. */
  dispose(): void {
    if (this.temporary) rmSync(this.root, { recursive: true, force: true });
  }
}

/** Whether a name is one a stored file may have (no paths, no control characters). */
export function isPlainName(filename: unknown): filename is string {
  return typeof filename === 'string' && SAFE_NAME.test(filename) && !filename.includes('..');
}

function safeName(filename: unknown): string {
  if (!isPlainName(filename)) {
    throw new HttpError(
      400,
      '"filename" must be a plain file name (letters, digits, space, . _ - ( ), at most 200 characters)',
      { field: 'filename' },
    );
  }
  return filename;
}

/** Decodes base64 file data (a `data:…;base64,` prefix is allowed). @throws HttpError 400. */
export function decodeFileData(filedata: unknown): Buffer {
  if (typeof filedata !== 'string') {
    throw new HttpError(400, '"filedata" must be a base64 string', { field: 'filedata' });
  }
  const base64 = filedata.slice(filedata.indexOf(',') + 1).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(base64)) {
    throw new HttpError(400, '"filedata" must be a base64 string', { field: 'filedata' });
  }
  return Buffer.from(base64, 'base64');
}
