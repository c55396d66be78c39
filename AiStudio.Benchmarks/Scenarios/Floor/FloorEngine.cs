using System.Collections.Concurrent;
using System.Diagnostics;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;

namespace AiStudio.Benchmarks.Scenarios.Floor;

/// <summary>
/// Builds carried through their six phases by the floor's statements, arranged as the app's engine runs them: one caller
/// starting the builds one after another, one outbox dispatcher rung after each commit that wrote to the outbox, one
/// scheduler loop that acquires and fires due jobs for as many threads as are free, and <c>threads</c> workers that
/// execute a fired job's run and complete the job. Each of them holds its own connections.
/// </summary>
internal static class FloorEngine
{
    /// <summary>
    /// Runs <paramref name="builds"/> builds to Complete; returns the time from the first start to the last completion, and the
    /// statements, rounds and commits all the floor's connections made.
    /// </summary>
    public static async Task<(TimeSpan Elapsed, long Statements, long Rounds, int Commits)> RunAsync(
        DatabaseSettings database, FloorSettings settings, string label, int builds, int threads, CancellationToken cancellationToken)
    {
        await using var starter = await CommitFloor.OpenAsync(database, settings, cancellationToken);
        await using var dispatcher = await CommitFloor.OpenAsync(database, settings, cancellationToken);
        await using var scheduler = await CommitFloor.OpenAsync(database, settings, cancellationToken);
        var workers = new ConcurrentBag<CommitFloor>();
        for (var i = 0; i < threads; i++)
        {
            workers.Add(await CommitFloor.OpenAsync(database, settings, cancellationToken));
        }

        CommitFloor[] all = [starter, dispatcher, scheduler, .. workers];

        var runs = new ConcurrentDictionary<Guid, FloorBuild>();
        var outboxBell = new Bell();
        var schedulerBell = new Bell();
        var freeThreads = new SemaphoreSlim(threads, threads);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var complete = 0;
        var allComplete = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failures = new ConcurrentQueue<Exception>();
        var executions = new ConcurrentQueue<Task>();

        async Task Guard(Func<Task> actor)
        {
            try
            {
                await actor();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
                allComplete.TrySetException(e);
            }
        }

        async Task ExecuteAsync(Guid runId, string trigger)
        {
            workers.TryTake(out var worker);
            try
            {
                var build = runs.TryGetValue(runId, out var known)
                    ? known
                    : throw new InvalidOperationException($"The scheduler fired run {runId}, which none of this floor's builds queued.");
                await worker!.ExecuteRunAsync(build, stop.Token);
                outboxBell.Ring();
                await worker.CompleteJobAsync(runId, trigger, stop.Token);
                if (build.IsComplete && Interlocked.Increment(ref complete) == builds)
                {
                    allComplete.TrySetResult();
                }
            }
            finally
            {
                workers.Add(worker!);
                freeThreads.Release();
            }
        }

        var started = Stopwatch.GetTimestamp();
        var actors = new List<Task>
        {
            Guard(async () =>
            {
                for (var i = 0; i < builds; i++)
                {
                    var build = new FloorBuild($"{label} {i}", "Carry this through every phase.");
                    foreach (var runId in build.RunIds)
                    {
                        runs[runId] = build;
                    }

                    await starter.StartBuildAsync(build, stop.Token);
                    outboxBell.Ring();
                }
            }),
            Guard(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    // A dispatch is never cut short: stopped between storing a job and marking its message handed on, it would
                    // leave the message due, and the next run of the floor in this database would fire a run it never started.
                    await outboxBell.WaitAsync(TimeSpan.FromSeconds(1), stop.Token);
                    if ((await dispatcher.DispatchAsync(CancellationToken.None)).Count > 0)
                    {
                        schedulerBell.Ring();
                    }
                }
            }),
            Guard(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    // As Quartz's scheduler thread: wait for a free thread, then acquire as many due jobs as there are free threads.
                    await freeThreads.WaitAsync(stop.Token);
                    var free = 1;
                    while (free < threads && freeThreads.Wait(0))
                    {
                        free++;
                    }

                    var fired = await scheduler.AcquireAndFireAsync(free, stop.Token);
                    if (free > fired.Count)
                    {
                        freeThreads.Release(free - fired.Count);
                    }

                    foreach (var (runId, trigger) in fired)
                    {
                        executions.Enqueue(Guard(() => ExecuteAsync(runId, trigger)));
                    }

                    if (fired.Count == 0)
                    {
                        await schedulerBell.WaitAsync(TimeSpan.FromSeconds(1), stop.Token);
                    }
                }
            }),
        };

        try
        {
            await allComplete.Task.WaitAsync(TimeSpan.FromMinutes(10), cancellationToken);
            return (Stopwatch.GetElapsedTime(started), all.Sum(f => f.Counter.Statements), all.Sum(f => f.Counter.Rounds), all.Sum(f => f.Commits));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(actors);

            // Workers still finishing their statements hold their connections: wait for them before closing.
            await Task.WhenAll(executions);
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            if (!failures.IsEmpty)
            {
                throw new AggregateException("The floor's engine failed.", failures);
            }
        }
    }

    private sealed class Bell : Doorbell;
}
