using System.Diagnostics;
using AiStudio.Benchmarks.Harness;
using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Execution;
using AiStudio.Core.Outbox;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace AiStudio.Benchmarks.Scenarios;

/// <summary>
/// What the app does around one phase run, with the model taking no time: <see cref="PhaseRunExecutor"/> claims the run,
/// calls the role runner (history, prompt, the instant model), stores the messages, outcome and audit events, moves the
/// build on by the automatic policy and schedules the next run with the real Quartz scheduler and its SQLite store.
/// Quartz's triggers are paused so that the next run is executed by this loop, one at a time, and nothing else competes.
/// Compared with one raw BEGIN; INSERT; COMMIT on a file with the app's own journal mode and synchronous setting.
/// </summary>
public sealed class OrchestrationOverhead : IBenchmark
{
    public string Name => "orchestration";

    public string Title => "Orchestration overhead per phase";

    public async Task<IReadOnlyList<Figure>> RunAsync(Scale scale, Progress log, CancellationToken cancellationToken)
    {
        RecordingScheduler? recorder = null;
        await using var host = await CoreHost.StartAsync(Name, services =>
        {
            services.AddSingleton<IPhaseRunScheduler>(sp => recorder = new RecordingScheduler(new QuartzPhaseRunScheduler(sp.GetRequiredService<ISchedulerFactory>())));

            // This loop hands the outbox on itself, inside the measured time, so that no background pass competes with it.
            services.Remove(services.Single(d => d.ImplementationType == typeof(OutboxDispatchingService)));
        });
        // Paused in the store itself: the job is still written as the app writes it, but Quartz never fires it.
        var quartz = await host.Get<ISchedulerFactory>().GetScheduler(cancellationToken);
        await quartz.PauseAll(cancellationToken);

        var actor = await host.CreateUserAsync("bench@example.com");

        // A database with a history, as a running installation has: per-phase work must not grow with the table.
        await using (var connection = await host.OpenRawConnectionAsync())
        {
            var history = await Seed.ProjectAsync(connection, "History", actor.UserId, DateTimeOffset.UtcNow.AddDays(-60), (actor.UserId, "Owner"));
            await Seed.BuildsAsync(connection, [history], actor.UserId, scale.OrchestrationHistoryBuilds, DateTimeOffset.UtcNow.AddDays(-60));
            await Seed.ExecuteAsync(connection, "ANALYZE;");
        }

        var commands = host.Get<IBuildCommands>();
        var executor = host.Get<PhaseRunExecutor>();
        var outbox = host.Get<OutboxDispatcher>();
        var sealer = host.Get<IAuditSealer>();
        var (journal, synchronous) = await AppPragmasAsync(host);
        log.Line($"   app database: journal_mode={journal}, synchronous={synchronous}");

        var phases = new Samples();
        var sealing = new Samples();
        var builds = scale.OrchestrationWarmUpBuilds + scale.OrchestrationBuilds;
        for (var b = 0; b < builds; b++)
        {
            var measured = b >= scale.OrchestrationWarmUpBuilds;
            var buildId = await commands.StartAsync(actor, new NewBuildRequest("Benchmarks", $"Build {b}", "Measure the orchestration.",
                new BuildGovernance(ApprovalPolicy.Automatic, 3, null)), cancellationToken);
            await outbox.DispatchDueAsync(cancellationToken);
            await sealer.SealPendingAsync(cancellationToken);
            var executed = 0;
            while (recorder!.TakeLast() is { } runId)
            {
                var started = Stopwatch.GetTimestamp();
                await executor.ExecuteAsync(runId, cancellationToken);
                await outbox.DispatchDueAsync(cancellationToken);
                var executedIn = Stopwatch.GetElapsedTime(started);
                var sealStarted = Stopwatch.GetTimestamp();
                await sealer.SealPendingAsync(cancellationToken);
                if (measured)
                {
                    phases.Add(executedIn);
                    sealing.Add(Stopwatch.GetElapsedTime(sealStarted));
                }

                executed++;
            }

            await using var db = await host.CreateDbContextAsync();
            var state = await db.Builds.Where(x => x.Id == buildId).Select(x => x.State).SingleAsync(cancellationToken);
            if (state != BuildState.Complete || executed != 6)
            {
                throw new InvalidOperationException($"Build {b} ended {state} after {executed} phase runs; expected Complete after 6.");
            }

            if ((b + 1) % 20 == 0)
            {
                log.Line($"   {b + 1}/{builds} builds ({phases.Count} phases measured, median so far {Samples.Format(phases.Median)} ms)");
            }
        }

        var raw = await RawInsertAsync(host.DataDirectory, journal, synchronous, scale.RawInserts);
        var rawFull = await RawInsertAsync(host.DataDirectory, journal, "FULL", scale.RawInserts, "raw-insert-full.db");
        var ratio = phases.Median / raw.Median;
        var commits = "Each phase commits three times: the claim, the outcome (with the next run and the audit events) and Quartz's job row in its own jobs.db";
        return
        [
            new Figure(Name, "median per phase (model excluded)", phases.Median, "ms", 2.0,
                Detail: $"{phases.Describe()}; {scale.OrchestrationHistoryBuilds:N0} builds already in the database",
                Why: phases.Median <= 2.0 ? "" : $"{commits}. Of the {Samples.Format(phases.Median)} ms, Quartz's ADO job store takes " +
                    $"{Samples.Format(recorder!.Timings.Median)} ms to store the next job; the remaining " +
                    $"{Samples.Format(phases.Median - recorder.Timings.Median)} ms is the executor's own work: about a dozen EF Core statements in " +
                    "two contexts (the build with all its runs, the active prompt, the role's history; then the claim, and the outcome with " +
                    "messages, audit events and the next run, each row its own statement as EF Core does not batch on SQLite), their change " +
                    "tracking and SQL generation, and the role runner " +
                    $"building the chat history. SQLite itself is not the cost: a raw commit takes {Samples.Format(raw.Median)} ms."),
            new Figure(Name, "ratio to one raw insert transaction", ratio, "×", 3.0,
                Detail: $"raw BEGIN; INSERT; COMMIT: {raw.Describe()} (journal_mode={journal}, synchronous={synchronous})",
                Why: ratio <= 3.0 ? "" : $"{commits}, so at best about 3× one raw commit before any EF Core work. With synchronous={synchronous} " +
                    "a raw commit does not wait for the disk and costs tens of microseconds, so the ratio is set by the CPU work around the " +
                    "commits: EF Core (change tracking, SQL generation, materializing the build with its runs), the role runner building the " +
                    "chat history, and Quartz's ADO job store (see the Quartz figure). Against a commit that waits for the disk the ratio is the next figure."),
            new Figure(Name, "ratio to one raw insert transaction with synchronous=FULL", phases.Median / rawFull.Median, "×", null,
                Detail: $"raw commit that waits for the disk: {rawFull.Describe()}"),
            new Figure(Name, "of which Quartz storing the next job", recorder!.Timings.Median, "ms", null, Detail: recorder.Timings.Describe()),
            new Figure(Name, "audit sealing per phase (background, not in the figure above)", sealing.Median, "ms", null, Detail: sealing.Describe()),
        ];
    }

    /// <summary>The journal mode and synchronous setting a connection of the app actually has.</summary>
    private static async Task<(string Journal, string Synchronous)> AppPragmasAsync(CoreHost host)
    {
        await using var db = await host.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        return (await PragmaAsync(connection, "journal_mode"), await PragmaAsync(connection, "synchronous"));
    }

    private static async Task<string> PragmaAsync(System.Data.Common.DbConnection connection, string name)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        var value = Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return name == "synchronous" ? value switch { "0" => "OFF", "1" => "NORMAL", "2" => "FULL", "3" => "EXTRA", _ => value } : value;
    }

    /// <summary>One raw insert transaction on its own file, with the pragmas the app's connections have.</summary>
    internal static async Task<Samples> RawInsertAsync(string folder, string journal, string synchronous, int count, string file = "raw-insert.db")
    {
        var path = Path.Combine(folder, file);
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using (var setup = connection.CreateCommand())
        {
            setup.CommandText = $"PRAGMA journal_mode={journal}; PRAGMA synchronous={synchronous}; " +
                "CREATE TABLE Items (Id INTEGER PRIMARY KEY, CreatedAt INTEGER NOT NULL, Payload TEXT NOT NULL);";
            await setup.ExecuteNonQueryAsync();
        }

        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO Items (CreatedAt, Payload) VALUES ($at, $payload);";
        var at = insert.Parameters.Add("$at", SqliteType.Integer);
        var payload = insert.Parameters.Add("$payload", SqliteType.Text);
        payload.Value = "one row, as an audit event or a phase run would be";
        return await Samples.MeasureAsync(Math.Max(1, count / 10), count, async i =>
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            insert.Transaction = transaction;
            at.Value = i;
            await insert.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        });
    }
}
