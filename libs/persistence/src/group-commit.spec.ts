import { GroupCommit } from './group-commit';

/** A write we can hold open, to see what queues behind it. */
function controllableWrite() {
  const batches: number[][] = [];
  let release: () => void = () => undefined;
  const write = async (rows: number[]): Promise<void> => {
    batches.push(rows);
    if (rows.includes(-1)) throw new Error(`bad row in ${rows.join(',')}`);
    if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
  };
  return { batches, write, release: () => release() };
}

describe('GroupCommit', () => {
  it('writes rows that arrive while a write is in flight as one batch', async () => {
    const { batches, write, release } = controllableWrite();
    const commit = new GroupCommit<number>(write);
    const first = commit.add(1);
    const rest = [2, 3, 4].map((n) => commit.add(n));
    await Promise.resolve();
    expect(batches).toEqual([[1]]);
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('caps a batch at maxBatch rows', async () => {
    const { batches, write, release } = controllableWrite();
    const commit = new GroupCommit<number>(write, 2);
    const all = [1, 2, 3, 4, 5].map((n) => commit.add(n));
    release();
    await Promise.all(all);
    expect(batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('fails only the caller whose row the database refuses', async () => {
    const { batches, write, release } = controllableWrite();
    const commit = new GroupCommit<number>(write);
    const first = commit.add(1);
    const good = commit.add(2);
    const bad = commit.add(-1);
    const alsoGood = commit.add(3);
    release();
    await first;
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('bad row in -1');
    await expect(alsoGood).resolves.toBeUndefined();
    expect(batches).toEqual([[1], [2, -1, 3], [2], [-1], [3]]);
  });

  it('keeps committing after a failure', async () => {
    const commit = new GroupCommit<number>(async (rows) => {
      if (rows.includes(-1)) throw new Error('refused');
    });
    await expect(commit.add(-1)).rejects.toThrow('refused');
    await expect(commit.add(1)).resolves.toBeUndefined();
  });
});
