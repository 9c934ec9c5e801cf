interface Pending<Row> {
  row: Row;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for rows that must be durable before a request is answered (an audit event, an issued
 * certificate) but need no transaction of their own: while one multi-row write is in flight, the next
 * rows queue, and the following write takes them all. Each `add` resolves only once its row is
 * committed, so under load N requests share one round trip and one WAL flush instead of paying for N.
 *
 * A failed batch is written again row by row, so one bad row (a constraint violation) fails only the
 * caller that sent it.
 */
export class GroupCommit<Row> {
  private pending: Pending<Row>[] = [];
  private flushing = false;

  constructor(
    private readonly write: (rows: Row[]) => Promise<void>,
    private readonly maxBatch = 500,
  ) {}

  add(row: Row): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.maxBatch);
        try {
          await this.write(batch.map((entry) => entry.row));
          for (const entry of batch) entry.resolve();
        } catch (error) {
          if (batch.length === 1) batch[0].reject(error);
          else await this.writeOneByOne(batch);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async writeOneByOne(batch: Pending<Row>[]): Promise<void> {
    for (const entry of batch) {
      try {
        await this.write([entry.row]);
        entry.resolve();
      } catch (error) {
        entry.reject(error);
      }
    }
  }
}
