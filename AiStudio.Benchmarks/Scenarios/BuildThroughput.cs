using System.Diagnostics;
using AiStudio.Benchmarks.Harness;
using AiStudio.Core.Builds;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Benchmarks.Scenarios;

/// <summary>
/// Builds carried from Discovery to Complete by the automatic policy against the instant model, through the real
/// execution engine as the app runs it: Quartz with its persistent SQLite store and its thread pool, the executor,
/// the audit sealer in the background. The clock runs from the first build started to the last one complete.
/// </summary>
public sealed class BuildThroughput : IBenchmark
{
    public string Name => "throughput";

    public string Title => "Builds per minute through all six phases";

    public async Task<IReadOnlyList<Figure>> RunAsync(Scale scale, Progress log, CancellationToken cancellationToken)
    {
        await using var host = await CoreHost.StartAsync(Name);
        var actor = await host.CreateUserAsync("bench@example.com");
        var commands = host.Get<IBuildCommands>();

        // Warm-up: JIT, EF's compiled models and Quartz's first connections.
        await RunBuildsAsync(host, commands, actor, "warm-up", Math.Max(2, scale.ThroughputBuilds / 20), log, cancellationToken);
        var (elapsed, phaseRuns) = await RunBuildsAsync(host, commands, actor, "measured", scale.ThroughputBuilds, log, cancellationToken);

        var perMinute = scale.ThroughputBuilds / elapsed.TotalMinutes;
        return
        [
            new Figure(Name, "builds per minute (6 phases each)", perMinute, "builds/min", 1_000, HigherIsBetter: true,
                Detail: $"{scale.ThroughputBuilds} builds, {phaseRuns} phase runs in {elapsed.TotalSeconds:0.0} s on {Environment.ProcessorCount} cores",
                Why: perMinute >= 1_000 ? "" : "Every phase run is a Quartz job in the persistent store: scheduling, acquiring, firing and " +
                    "completing it are SQLite transactions in jobs.db, on top of the executor's own commits in aistudio.db; " +
                    "SQLite takes one writer at a time per file, so the phase runs mostly queue for the write lock."),
            new Figure(Name, "phase runs per second", phaseRuns / elapsed.TotalSeconds, "runs/s", null),
        ];
    }

    private static async Task<(TimeSpan Elapsed, int PhaseRuns)> RunBuildsAsync(
        CoreHost host, IBuildCommands commands, AiStudio.Core.Common.Actor actor, string label, int count, Progress log, CancellationToken cancellationToken)
    {
        var ids = new List<Guid>(count);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await commands.StartAsync(actor, new NewBuildRequest("Throughput", $"{label} {i}", "Carry this through every phase.",
                new BuildGovernance(ApprovalPolicy.Automatic, 3, null)), cancellationToken));
        }

        var lastReport = Stopwatch.GetTimestamp();
        while (true)
        {
            await using var db = await host.CreateDbContextAsync();
            var states = await db.Builds.Where(b => ids.Contains(b.Id)).GroupBy(b => b.State).Select(g => new { g.Key, Count = g.Count() })
                .ToListAsync(cancellationToken);
            var complete = states.Where(s => s.Key == BuildState.Complete).Sum(s => s.Count);
            var stuck = states.Where(s => s.Key is BuildState.Failed or BuildState.OnHold or BuildState.Cancelled).Sum(s => s.Count);
            if (stuck > 0)
            {
                throw new InvalidOperationException($"{stuck} {label} builds failed or stopped instead of completing.");
            }

            if (complete == count)
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                var runs = await db.PhaseRuns.CountAsync(r => ids.Contains(r.BuildId), cancellationToken);
                return (elapsed, runs);
            }

            if (Stopwatch.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(5))
            {
                log.Line($"   {label}: {complete}/{count} complete after {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s");
                lastReport = Stopwatch.GetTimestamp();
            }

            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException($"Only {complete} of {count} {label} builds completed in 10 minutes.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
