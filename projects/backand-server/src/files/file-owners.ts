import { randomBytes } from 'node:crypto';
import type { Db } from '../storage/database';

/** What `_backand_files` knows of a stored file. */
export interface FileRecord {
  /** The uploader's username; `null` for a guest (or a file recorded without one). */
  uploader: string | null;
  /**
   * A random id of this upload, bound into signed links so that they stop working when the
   * file is removed or replaced. `null` for files uploaded before links were signed.
   */
  uploadId: string | null;
}

/**
 * Who uploaded each stored file, and which upload it is (`_backand_files`): callers with "own"
 * access read, replace and remove only their own files, and signed links name one upload.
 */
export class FileOwners {
  constructor(private readonly db: Db) {}

  /** The record of a file, `undefined` when there is none (e.g. copied into the folder by hand). */
  entry(object: string, filename: string): FileRecord | undefined {
    const row = this.db
      .prepare(`SELECT uploader, upload_id FROM _backand_files WHERE object = ? AND filename = ?`)
      .get(object, filename) as { uploader: string | null; upload_id: string | null } | undefined;
    return row ? { uploader: row.uploader, uploadId: row.upload_id } : undefined;
  }

  /** The uploader of a file: a username, `null` for a guest, `undefined` when not recorded. */
  uploader(object: string, filename: string): string | null | undefined {
    return this.entry(object, filename)?.uploader;
  }

  /** Records (or replaces) the uploader of a file, as a new upload. Returns its upload id. */
  record(object: string, filename: string, uploader: string | null): string {
    const uploadId = newUploadId();
    this.db
      .prepare(
        `INSERT INTO _backand_files (object, filename, uploader, upload_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (object, filename) DO UPDATE
         SET uploader = excluded.uploader, upload_id = excluded.upload_id`,
      )
      .run(object, filename, uploader, uploadId);
    return uploadId;
  }

  /**
   * The upload id of a stored file, given one first when it has none: a file uploaded before
   * links were signed, or (recorded with no uploader) one that was never recorded.
   */
  uploadIdOf(object: string, filename: string): string {
    const existing = this.entry(object, filename)?.uploadId;
    if (existing) return existing;
    this.db
      .prepare(
        `INSERT INTO _backand_files (object, filename, uploader, upload_id) VALUES (?, ?, NULL, ?)
         ON CONFLICT (object, filename) DO UPDATE
         SET upload_id = excluded.upload_id WHERE _backand_files.upload_id IS NULL`,
      )
      .run(object, filename, newUploadId());
    return this.entry(object, filename)!.uploadId!;
  }

  /** Forgets a removed file. */
  forget(object: string, filename: string): void {
    this.db
      .prepare(`DELETE FROM _backand_files WHERE object = ? AND filename = ?`)
      .run(object, filename);
  }
}

function newUploadId(): string {
  return randomBytes(12).toString('base64url');
}
