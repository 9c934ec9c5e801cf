import { PeriodicJob } from './periodic-job';

describe('PeriodicJob', () => {
  it('joins a call made during a run to that run', async () => {
    let release: (n: number) => void = () => undefined;
    const work = jest.fn(() => new Promise<number>((resolve) => (release = resolve)));
    const job = new PeriodicJob(work, () => undefined);
    const first = job.run();
    const second = job.run();
    release(7);
    expect(await Promise.all([first, second])).toEqual([7, 7]);
    expect(work).toHaveBeenCalledTimes(1);
    const third = job.run();
    release(8);
    expect(await third).toBe(8);
    expect(work).toHaveBeenCalledTimes(2);
  });

  it('runs on its interval, reports failures, and stops', async () => {
    jest.useFakeTimers();
    try {
      const errors: unknown[] = [];
      const work = jest.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValue(1);
      const job = new PeriodicJob(work, (error) => errors.push(error));
      job.start(1000);
      await jest.advanceTimersByTimeAsync(2500);
      expect(work).toHaveBeenCalledTimes(2);
      expect(errors).toEqual([new Error('down')]);
      await job.stop();
      await jest.advanceTimersByTimeAsync(5000);
      expect(work).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('schedules nothing for an interval of 0, and stop waits for a run in progress', async () => {
    jest.useFakeTimers();
    try {
      let finished = false;
      const work = jest.fn(async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        finished = true;
      });
      const job = new PeriodicJob(work, () => undefined);
      job.start(0);
      await jest.advanceTimersByTimeAsync(10_000);
      expect(work).not.toHaveBeenCalled();
      void job.run();
      const stopped = job.stop();
      await jest.advanceTimersByTimeAsync(100);
      await stopped;
      expect(finished).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
