using System.Diagnostics;
using AiStudio.Benchmarks.Harness;
using AiStudio.Benchmarks.Scenarios.Floor;
using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Execution;
using AiStudio.Core.Outbox;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace AiStudio.Benchmarks.Scenarios;

/// <summary>
/// What the app does around one phase run, with the model taking no time: <see cref="PhaseRunExecutor"/> claims the run,
/// calls the role runner (history, prompt, the instant model), stores the messages, outcome and audit events, moves the
/// build on by the automatic policy, and the outbox dispatcher hands the next run to the real Quartz scheduler and its
/// persistent store. Quartz's triggers are paused so that the next run is executed by this loop, one at a time, and
/// nothing else competes; this loop calls the dispatcher itself, inside the measured time.
/// <para>
/// The floor is measured in the same database, a floor build after each app build: <see cref="CommitFloor"/> issues the
/// statements and transactions of each phase (its doc comment lists what it includes and leaves out) as plain ADO.NET.
/// The ratio of the two medians is what the app's layers cost over the database work its design needs.
/// </para>
/// </summary>
public sealed class OrchestrationOverhead(DatabaseProvider provider) : IBenchmark
{
    private const double Target = 2.0;

    public string Name => provider == DatabaseProvider.Sqlite ? "orchestration" : "orchestration-postgresql";

    public string Title => $"Orchestration overhead per phase, {Providers.Name(provider)}";

    public bool RunsOnPostgreSql => provider == DatabaseProvider.PostgreSql;

    public async Task<IReadOnlyList<Figure>> RunAsync(Scale scale, Progress log, CancellationToken cancellationToken)
    {
        RecordingScheduler? recorder = null;
        var commitTimer = new CommitTimer();
        await using var host = await CoreHost.StartAsync(Name, services =>
        {
            services.AddSingleton<IInterceptor>(commitTimer);
            services.AddSingleton<IPhaseRunScheduler>(sp => recorder = new RecordingScheduler(new QuartzPhaseRunScheduler(sp.GetRequiredService<ISchedulerFactory>())));

            // This loop hands the outbox on itself, inside the measured time, and seals the audit trail itself after each phase,
            // outside it, so that no background pass competes with a phase: the sealer's, rung by the claim's commit, took the
            // write lock and synced the disk in the middle of the app's phases and never in the floor's.
            services.Remove(services.Single(d => d.ImplementationType == typeof(OutboxDispatchingService)));
            services.Remove(services.Single(d => d.ImplementationType == typeof(AuditSealingService)));
        }, provider);
        // Paused in the store itself: the job is still written as the app writes it, but Quartz never fires it.
        var quartz = await host.Get<ISchedulerFactory>().GetScheduler(cancellationToken);
        await quartz.PauseAll(cancellationToken);

        var actor = await host.CreateUserAsync("bench@example.com");

        // A database with a history, as a running installation has: per-phase work must not grow with the table.
        await using (var connection = await host.OpenConnectionAsync())
        {
            var history = await Seed.ProjectAsync(connection, "History", actor.UserId, DateTimeOffset.UtcNow.AddDays(-60), (actor.UserId, "Owner"));
            await Seed.BuildsAsync(connection, [history], actor.UserId, scale.OrchestrationHistoryBuilds, DateTimeOffset.UtcNow.AddDays(-60));
            await connection.ExecuteAsync("ANALYZE;");
        }

        var commands = host.Get<IBuildCommands>();
        var executor = host.Get<PhaseRunExecutor>();
        var outbox = host.Get<OutboxDispatcher>();
        var sealer = host.Get<IAuditSealer>();
        var database = await Providers.DescribeAsync(host, scale, cancellationToken);
        log.Line($"   app database: {database.Settings}");

        await using var floor = await CommitFloor.OpenAsync(host.Database,
            new FloorSettings(actor.UserId, actor.DisplayName, "Benchmarks", quartz.SchedulerName, JobsPaused: true, database.Synchronous), cancellationToken);
        var phases = new Samples();
        var sealing = new Samples();
        var floorPhases = new Samples();
        var floorCommits = new Samples();
        var appCommits = new Samples();
        var appCommitCount = 0;
        var floorAppCommits = 0;
        var (statements, rounds, commits) = (0L, 0L, 0);
        var builds = scale.OrchestrationWarmUpBuilds + scale.OrchestrationBuilds;
        Guid appBuild = default, floorBuild = default;
        for (var b = 0; b < builds; b++)
        {
            var measured = b >= scale.OrchestrationWarmUpBuilds;
            appBuild = await commands.StartAsync(actor, new NewBuildRequest("Benchmarks", $"Build {b}", "Measure the orchestration.",
                new BuildGovernance(ApprovalPolicy.Automatic, 3, null)), cancellationToken);
            await outbox.DispatchDueAsync(cancellationToken);
            await sealer.SealPendingAsync(cancellationToken);
            var executed = 0;
            while (recorder!.TakeLast() is { } runId)
            {
                var (waitedBefore, commitsBefore) = (commitTimer.Waited, commitTimer.Commits);
                var started = Stopwatch.GetTimestamp();
                await executor.ExecuteAsync(runId, cancellationToken);
                await outbox.DispatchDueAsync(cancellationToken);
                var executedIn = Stopwatch.GetElapsedTime(started);
                var (waited, committed) = (commitTimer.Waited - waitedBefore, commitTimer.Commits - commitsBefore);
                var sealStarted = Stopwatch.GetTimestamp();
                await sealer.SealPendingAsync(cancellationToken);
                if (measured)
                {
                    phases.Add(executedIn);
                    appCommits.Add(waited);
                    appCommitCount += committed;
                    sealing.Add(Stopwatch.GetElapsedTime(sealStarted));
                }

                executed++;
            }

            await using (var db = await host.CreateDbContextAsync())
            {
                var state = await db.Builds.Where(x => x.Id == appBuild).Select(x => x.State).SingleAsync(cancellationToken);
                if (state != BuildState.Complete || executed != 6)
                {
                    throw new InvalidOperationException($"Build {b} ended {state} after {executed} phase runs; expected Complete after 6.");
                }
            }

            // The same build's commits as plain statements, in the same database; sealed after each phase as the app's are.
            var build = new FloorBuild($"Floor build {b}", "Measure the orchestration.");
            await floor.StartBuildAsync(build, cancellationToken);
            await floor.DispatchAsync(cancellationToken);
            await sealer.SealPendingAsync(cancellationToken);
            while (!build.IsComplete)
            {
                var (statementsBefore, roundsBefore, commitsBefore, appCommitsBefore, waitedBefore) =
                    (floor.Counter.Statements, floor.Counter.Rounds, floor.Commits, floor.AppCommits, floor.AppCommitTime);
                var started = Stopwatch.GetTimestamp();
                await floor.ExecuteRunAsync(build, cancellationToken);
                await floor.DispatchAsync(cancellationToken);
                var executedIn = Stopwatch.GetElapsedTime(started);
                await sealer.SealPendingAsync(cancellationToken);
                if (measured)
                {
                    floorPhases.Add(executedIn);
                    floorCommits.Add(floor.AppCommitTime - waitedBefore);
                    floorAppCommits += floor.AppCommits - appCommitsBefore;
                    statements += floor.Counter.Statements - statementsBefore;
                    rounds += floor.Counter.Rounds - roundsBefore;
                    commits += floor.Commits - commitsBefore;
                }
            }

            floorBuild = build.Id;
            if ((b + 1) % 20 == 0)
            {
                log.Line($"   {b + 1}/{builds} builds ({phases.Count} phases measured, median so far {Samples.Format(phases.Median)} ms, floor {Samples.Format(floorPhases.Median)} ms)");
            }
        }

        await using (var connection = await host.OpenConnectionAsync())
        {
            await FloorCheck.SameRowsAsync(connection, appBuild, floorBuild, cancellationToken);
        }

        var ratio = phases.Median / floorPhases.Median;
        var perPhase = floorPhases.Count;
        var floorContent = $"{statements / (double)perPhase:0.#} statements, {(provider == DatabaseProvider.PostgreSql ? $"{rounds / (double)perPhase:0.#} round trips and " : "")}" +
            $"{commits / (double)perPhase:0.#} commits a phase on average";
        var quartzMedian = recorder!.Timings.Median;
        return
        [
            new Figure(Name, "median per phase (model excluded)", phases.Median, "ms", Target,
                Detail: $"{phases.Describe()}; of which waiting for its {appCommitCount / (double)phases.Count:0.#} commits to the app's database " +
                    $"(Quartz's not counted): median {Samples.Format(appCommits.Median)} ms; {scale.OrchestrationHistoryBuilds:N0} builds already in the database; " +
                    database.Settings,
                Why: phases.Median <= Target ? "" : Explain(phases.Median, floorPhases.Median, appCommits.Median, floorCommits.Median,
                    floorAppCommits / (double)perPhase, quartzMedian, floor.JobStores.Median, database)),
            new Figure(Name, "floor per phase (the same commits as plain ADO.NET)", floorPhases.Median, "ms", null, InSummary: true,
                Detail: $"{floorPhases.Describe()}; {floorContent}; of which waiting for its {floorAppCommits / (double)perPhase:0.#} commits to the app's " +
                    $"database (Quartz's not counted): median {Samples.Format(floorCommits.Median)} ms"),
            new Figure(Name, "ratio to the floor", ratio, "×", null, InSummary: true,
                Detail: $"median per phase ÷ the floor's median, measured in the same database, a floor build after each app build"),
            new Figure(Name, "of which Quartz storing the next job", quartzMedian, "ms", null,
                Detail: $"{recorder.Timings.Describe()}; the floor's same statements: {floor.JobStores.Describe()}"),
            new Figure(Name, "audit sealing per phase (after it, not in the figures above)", sealing.Median, "ms", null,
                Detail: $"{sealing.Describe()}; in the app a background pass does it, rung by the commits"),
        ];
    }

    /// <param name="appWaited">The app's median wait for its commits to its own database in a phase; likewise the floor's.</param>
    private static string Explain(
        double app, double floor, double appWaited, double floorWaited, double commits, double quartz, double floorQuartz, DatabaseDescription database)
    {
        var floorPart = floor < Target
            ? $"The floor, the same statements and transactions as plain ADO.NET, takes {Samples.Format(floor)} ms, {Samples.Format(floorWaited)} ms " +
                $"of it waiting for its {commits:0.#} commits to the app's database ({database.Durability}). "
            : $"The floor alone, the same statements and transactions as plain ADO.NET, takes {Samples.Format(floor)} ms, more than the target; " +
                $"{Samples.Format(floorWaited)} ms of it is waiting for its {commits:0.#} commits to the app's database ({database.Durability}). " +
                (floor - floorWaited >= Target
                    ? $"Even without those waits its statements take {Samples.Format(floor - floorWaited)} ms on this machine: within this design the " +
                        "target needs fewer statements and round trips per phase, not only leaner code around them. "
                    : "Within this design the target needs fewer commits per phase or a faster disk, not only leaner code. ");
        return floorPart +
            $"The app waits {Samples.Format(appWaited)} ms for the same commits, and outside them takes {Samples.Format(app - appWaited)} ms where " +
            $"the floor takes {Samples.Format(floor - floorWaited)} ms ({app / floor:0.0}× the floor in all): Quartz's ADO job store " +
            $"({Samples.Format(quartz)} ms to store the next job, the floor's same statements {Samples.Format(floorQuartz)} ms), EF Core's change " +
            "tracking, SQL generation and materialization of the build with all its runs, the role runner building the chat history, JSON for " +
            "the outbox, and a context's connection taken from the pool for each of the claim, the outcome and the dispatcher's pass" +
            (database.Provider == DatabaseProvider.PostgreSql ? " (Npgsql resets each one with DISCARD ALL)." : ".");
    }
}
