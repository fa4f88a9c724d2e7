import type { Db } from '../storage/database';

/**
 * Who uploaded each stored file (`_backand_files`), so that callers with "own" access replace
 * and remove only their own files. `null` is a guest's upload.
 */
export class FileOwners {
  constructor(private readonly db: Db) {}

  /** The uploader of a file: a username, `null` for a guest, `undefined` when not recorded. */
  uploader(object: string, filename: string): string | null | undefined {
    const row = this.db
      .prepare(`SELECT uploader FROM _backand_files WHERE object = ? AND filename = ?`)
      .get(object, filename) as { uploader: string | null } | undefined;
    return row ? row.uploader : undefined;
  }

  /** Records (or replaces) the uploader of a file. */
  record(object: string, filename: string, uploader: string | null): void {
    this.db
      .prepare(
        `INSERT INTO _backand_files (object, filename, uploader) VALUES (?, ?, ?)
         ON CONFLICT (object, filename) DO UPDATE SET uploader = excluded.uploader`,
      )
      .run(object, filename, uploader);
  }

  /** Forgets a removed file. */
  forget(object: string, filename: string): void {
    this.db
      .prepare(`DELETE FROM _backand_files WHERE object = ? AND filename = ?`)
      .run(object, filename);
  }
}
