using System.Data.Common;
using System.Diagnostics;
using AiStudio.Benchmarks.Harness;
using AiStudio.Core.Builds;
using AiStudio.Core.Execution;
using AiStudio.Core.Persistence;
using AiStudio.Core.Roles;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AiStudio.Benchmarks.Scenarios.Floor;

/// <summary>
/// The design's floor: the statements, rows and transactions the app issues for a build and its phase runs (read from
/// the app's SQL, logged once with EF Core's command logging and PostgreSQL's <c>log_statement=all</c>), written as plain
/// ADO.NET with parameters against the app's own schema. Each transaction's statements go to the server together where
/// none needs an earlier one's answer (one round trip on PostgreSQL, as EF Core batches a save); reads come back through a
/// data reader to the last value but are not turned into objects.
/// <para>Per phase run:</para>
/// <list type="bullet">
/// <item>claim: three reads (the build with its runs, the role's active prompt, the role's earlier messages), then one
/// transaction: the run.started audit row, a "build.changed" outbox row, the run's update with its version check;</item>
/// <item>outcome: one transaction: run.completed and phase.approved audit rows (and build.completed after the last phase),
/// the build's update with its version check, the messages the role sent and received (system prompt, its earlier turns,
/// the task, the answer), a "build.changed" and a "run.schedule" outbox row, the run's update, the next run's row;</item>
/// <item>the outbox dispatcher: the read of due messages, Quartz storing the next run's job (one transaction in Quartz's
/// store: job and trigger existence checks, the paused-group checks, the job, trigger and simple-trigger rows), and one
/// transaction marking the messages handed on;</item>
/// <item>where Quartz runs the jobs (the throughput scenario): its acquire-and-fire transaction and its completion
/// transaction for each job, statement for statement.</item>
/// </list>
/// <para>
/// Not included: the model (the instant model takes no time in the app either), EF Core's change tracking, SQL generation
/// and materialization, the role runner building the chat history, JSON serialization, Quartz's own objects, the page
/// notifications, OpenTelemetry, and the pooled connection's reset when a context opens one (Npgsql sends DISCARD ALL):
/// the floor keeps its connections open. Audit sealing is not in the floor; it runs beside the app's phases as a
/// background pass (the orchestration scenario times it separately). On SQLite the floor's connections have the app's
/// settings: the app's file with <c>synchronous=FULL</c>, Quartz's jobs.db with <c>synchronous=NORMAL</c>, both WAL.
/// </para>
/// </summary>
internal sealed class CommitFloor : IAsyncDisposable
{
    public const string JobGroup = "phase-runs";
    public const string TriggerGroup = "DEFAULT";
    public const string InstanceName = "NON_CLUSTERED";
    private const string AllGroupsPaused = "_$_ALL_GROUPS_PAUSED_$_";
    private const string SystemActor = "system";
    private const string SystemName = "AiStudio";

    private static readonly string JobClass = $"{typeof(PhaseRunJob).FullName}, {typeof(PhaseRunJob).Assembly.GetName().Name}";

    private readonly DbConnection _app;
    private readonly DbConnection _jobs;
    private readonly FloorSettings _settings;

    private CommitFloor(DbConnection app, DbConnection jobs, FloorSettings settings)
    {
        _app = app;
        _jobs = jobs;
        _settings = settings;
    }

    /// <summary>
    /// Connections to the app's database and to Quartz's store (jobs.db on SQLite, the same database on PostgreSQL), held
    /// open, with the settings the app's own connections have.
    /// </summary>
    public static async Task<CommitFloor> OpenAsync(DatabaseSettings database, FloorSettings settings, CancellationToken cancellationToken)
    {
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            var app = new NpgsqlConnection(database.ConnectionString);
            var jobs = new NpgsqlConnection(database.ConnectionString);
            await app.OpenAsync(cancellationToken);
            await jobs.OpenAsync(cancellationToken);
            return new CommitFloor(app, jobs, settings);
        }

        var appFile = new SqliteConnection(database.ConnectionString);
        var jobsFile = new SqliteConnection(database.JobStoreConnectionString);
        await appFile.OpenAsync(cancellationToken);
        await jobsFile.OpenAsync(cancellationToken);
        await appFile.ExecuteAsync($"PRAGMA busy_timeout = {appFile.DefaultTimeout * 1000}; PRAGMA synchronous = {settings.AppSynchronous};", cancellationToken);
        await jobsFile.ExecuteAsync($"PRAGMA busy_timeout = {jobsFile.DefaultTimeout * 1000}; PRAGMA synchronous = NORMAL;", cancellationToken);
        return new CommitFloor(appFile, jobsFile, settings);
    }

    /// <summary>Statements and rounds this floor sent.</summary>
    public RoundCounter Counter { get; } = new();

    /// <summary>Transactions committed, in the app's tables and Quartz's.</summary>
    public int Commits { get; private set; }

    /// <summary>Transactions committed to the app's tables, and the time spent waiting for those commits.</summary>
    public int AppCommits { get; private set; }

    public TimeSpan AppCommitTime { get; private set; }

    /// <summary>Each job stored in Quartz's tables, as <see cref="RecordingScheduler"/> times the app's.</summary>
    public Samples JobStores { get; } = new();

    private async Task CommitAsync(DbTransaction transaction, CancellationToken cancellationToken)
    {
        var app = transaction.Connection == _app;
        var started = Stopwatch.GetTimestamp();
        await transaction.CommitAsync(cancellationToken);
        if (app)
        {
            AppCommitTime += Stopwatch.GetElapsedTime(started);
            AppCommits++;
        }

        Commits++;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _jobs.DisposeAsync();
    }

    // ---------------------------------------------------------------- a new build (IBuildCommands.StartAsync)

    /// <summary>
    /// The build, its first run, its audit row and its two outbox rows in one transaction, after the plan checks' reads and
    /// the project's lookup; as the app's start, it leaves the first run's job to the dispatcher.
    /// </summary>
    public async Task StartBuildAsync(FloorBuild build, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 3; i++)
        {
            // The plan's checks: may start builds, may use the model, has room this month.
            await new Round(_app, counter: Counter).Add(Statements.SelectBillingAccount, _settings.ActorId).RunAsync(cancellationToken);
        }

        await using var transaction = await _app.BeginTransactionAsync(cancellationToken);
        var projects = await new Round(_app, transaction, Counter).Add(Statements.SelectProject, _settings.ActorId, _settings.ProjectName).RunAsync(cancellationToken);
        build.ProjectId = projects[0].FirstOrDefault()?[0] ?? throw new InvalidOperationException($"The floor found no project named {_settings.ProjectName}.");
        var now = DateTimeOffset.UtcNow;
        var run = build.Queue(Phase.Discovery);
        await new Round(_app, transaction, Counter)
            .Add(Statements.InsertAudit, Audit("build.started", _settings.ActorId, _settings.ActorName, "Discovery", "Created", build, null,
                $"{build.Title} (Automatic approval, rework cap 3)", build.Id.ToString(), "Build", null, null, now, null, null))
            .Add(Statements.InsertBuild, _app.Id(build.Id), null, _app.Time(now), _settings.ActorId, "Automatic", build.ProjectId, build.Requirements, 3, 0,
                "Discovery", null, null, build.Title, _app.Time(now), 1)
            .Add(Statements.InsertOutbox, Outbox("run.schedule", ScheduleRunPayload(run.Id), now))
            .Add(Statements.InsertOutbox, Outbox("build.changed", BuildChangedPayload(build, "Discovery", "started"), now))
            .Add(Statements.InsertRun, NewRun(build, run, now))
            .RunAsync(cancellationToken);
        await CommitAsync(transaction, cancellationToken);
        build.Started(run);
    }

    // ---------------------------------------------------------------- one phase run (PhaseRunExecutor)

    /// <summary>Claims the build's queued run and stores its outcome: the executor's reads and two transactions.</summary>
    public async Task ExecuteRunAsync(FloorBuild build, CancellationToken cancellationToken)
    {
        var run = build.Current ?? throw new InvalidOperationException("The floor's build has no queued run.");
        var role = run.Phase.Role().ToString();

        // The claim's reads, each needing the one before: the run's build and runs, then the role's prompt and history.
        var buildRows = (await new Round(_app, counter: Counter).Add(Statements.SelectBuildOfRun, _app.Id(run.Id)).RunAsync(cancellationToken))[0];
        var runRow = buildRows.Single(r => Equals(r[15], _app.Id(run.Id)));
        var buildVersion = Convert.ToInt32(runRow[14], System.Globalization.CultureInfo.InvariantCulture);
        var runVersion = Convert.ToInt32(runRow[41], System.Globalization.CultureInfo.InvariantCulture);
        var context = await new Round(_app, counter: Counter)
            .Add(Statements.SelectActivePrompt, role)
            .Add(Statements.SelectEarlierMessages, _app.Id(build.Id), role, _app.Id(run.Id))
            .RunAsync(cancellationToken);
        var prompt = context[0].Single();
        var promptId = prompt[0];
        var promptText = (string)prompt[6];
        var promptVersion = Convert.ToInt32(prompt[7], System.Globalization.CultureInfo.InvariantCulture);
        var history = context[1]
            .GroupBy(m => m[0])
            .SelectMany(turn => new[] { turn.LastOrDefault(m => (string)m[2] == "User"), turn.LastOrDefault(m => (string)m[2] == "Assistant") })
            .OfType<object[]>()
            .Select(m => ((string)m[2], (string)m[3]))
            .ToList();

        var claimedAt = DateTimeOffset.UtcNow;
        await using (var claim = await _app.BeginTransactionAsync(cancellationToken))
        {
            await new Round(_app, claim, Counter)
                .Add(Statements.InsertAudit, Audit("run.started", SystemActor, SystemName, "Running", "Queued", build, null,
                    $"{run.Phase} attempt 1", run.Id.ToString(), "PhaseRun", null, null, claimedAt, null, promptVersion))
                .Add(Statements.InsertOutbox, Outbox("build.changed", BuildChangedPayload(build, run.Phase.ToString(), "running"), claimedAt))
                .AddExpecting(1, Statements.UpdateRunClaim, _app.Id(Guid.NewGuid()), 1, _app.Time(claimedAt), "Running", runVersion + 1, _app.Id(run.Id), runVersion)
                .RunAsync(cancellationToken);
            await CommitAsync(claim, cancellationToken);
        }

        // The instant model answers at once; what it was sent is stored with its answer.
        var task = UserMessage(build, run.Phase);
        var answer = InstantChatCompletionService.Answer;
        var now = DateTimeOffset.UtcNow;
        var next = run.Phase.Next();
        var state = next?.ToState().ToString() ?? nameof(BuildState.Complete);
        await using var outcome = await _app.BeginTransactionAsync(cancellationToken);
        var round = new Round(_app, outcome, Counter)
            .Add(Statements.InsertAudit, Audit("run.completed", SystemActor, SystemName, "AwaitingApproval", "Running", build, 0m,
                $"{run.Phase} attempt 1 in 0.0 s, 0 USD", run.Id.ToString(), "PhaseRun", 100, InstantChatCompletionService.ModelId, now, 20, promptVersion))
            .Add(Statements.InsertAudit, Audit("phase.approved", SystemActor, PhaseRunExecutor.AutomaticDecider, state, run.Phase.ToString(), build, null,
                $"{run.Phase} approved automatically", run.Id.ToString(), "PhaseRun", null, null, now, null, null));
        if (next is null)
        {
            round.Add(Statements.InsertAudit, Audit("build.completed", SystemActor, PhaseRunExecutor.AutomaticDecider, state, run.Phase.ToString(), build, null,
                null, build.Id.ToString(), "Build", null, null, now, null, null));
        }

        round.AddExpecting(1, Statements.UpdateBuild, state, _app.Time(now), buildVersion + 1, _app.Id(build.Id), buildVersion);
        var sequence = 0;
        foreach (var (author, content) in history.Prepend(("System", promptText)).Append(("User", task)).Append(("Assistant", answer)))
        {
            round.Add(Statements.InsertMessage, author, _app.Id(build.Id), content, _app.Time(now), _app.Id(run.Id), role, sequence++);
        }

        round.Add(Statements.InsertOutbox, Outbox("build.changed", BuildChangedPayload(build, state, "awaiting approval"), now));
        FloorRun? queued = null;
        if (next is { } nextPhase)
        {
            queued = build.Queue(nextPhase);
            round.Add(Statements.InsertOutbox, Outbox("run.schedule", ScheduleRunPayload(queued.Id), now));
        }

        round.AddExpecting(1, Statements.UpdateRunOutcome, null, _app.Time(now), _app.Time(now), PhaseRunExecutor.AutomaticDecider, 100, 0L,
            InstantChatCompletionService.ModelId, answer, 20, promptId, promptVersion, "Instant", "Approved", runVersion + 3, _app.Id(run.Id), runVersion + 1);
        if (queued is not null)
        {
            round.Add(Statements.InsertRun, NewRun(build, queued, now));
        }

        await round.RunAsync(cancellationToken);
        await CommitAsync(outcome, cancellationToken);
        build.Approved(run.Phase, answer, queued);
    }

    // ---------------------------------------------------------------- the outbox dispatcher (OutboxDispatcher)

    /// <summary>
    /// One pass of the dispatcher: the read of due messages, a Quartz job stored for each "run.schedule", and one transaction
    /// marking them all handed on. Returns the runs whose jobs were stored.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> DispatchAsync(CancellationToken cancellationToken)
    {
        var due = (await new Round(_app, counter: Counter).Add(Statements.SelectDueOutbox, _app.Time(DateTimeOffset.UtcNow), 100).RunAsync(cancellationToken))[0];
        var scheduled = new List<Guid>();
        foreach (var message in due.Where(m => (string)m[5] == ScheduleRun.Kind))
        {
            var runId = RunIdOfPayload((string)message[7]);
            var started = Stopwatch.GetTimestamp();
            await StoreJobAsync(runId, cancellationToken);
            JobStores.Add(Stopwatch.GetElapsedTime(started));
            scheduled.Add(runId);
        }

        if (due.Count > 0)
        {
            var handedOn = DateTimeOffset.UtcNow;
            await using var transaction = await _app.BeginTransactionAsync(cancellationToken);
            var round = new Round(_app, transaction, Counter);
            foreach (var message in due)
            {
                round.AddExpecting(1, Statements.MarkHandedOn, 1, _app.Time(handedOn), message[0]);
            }

            await round.RunAsync(cancellationToken);
            await CommitAsync(transaction, cancellationToken);
        }

        return scheduled;
    }

    // ---------------------------------------------------------------- Quartz's job store (JobStoreSupport)

    /// <summary>ScheduleJob with Replacing for a new run: Quartz's existence and paused-group checks, then the three rows.</summary>
    private async Task StoreJobAsync(Guid runId, CancellationToken cancellationToken)
    {
        var job = JobName(runId);
        var trigger = Guid.NewGuid().ToString();
        var at = DateTimeOffset.UtcNow.UtcTicks;
        await using var transaction = await _jobs.BeginTransactionAsync(cancellationToken);
        var checks = new Round(_jobs, transaction, Counter)
            .Add(Statements.JobExists, _settings.SchedulerName, job, JobGroup)
            .Add(Statements.TriggerExists, _settings.SchedulerName, trigger, TriggerGroup)
            .Add(Statements.PausedTriggerGroup, _settings.SchedulerName, TriggerGroup);
        if (!_settings.JobsPaused)
        {
            // Quartz asks about "all groups paused" and the job's group only when the trigger's own group is not paused.
            checks.Add(Statements.PausedTriggerGroup, _settings.SchedulerName, AllGroupsPaused)
                .Add(Statements.PausedJobGroup, _settings.SchedulerName, JobGroup);
        }

        await checks.RunAsync(cancellationToken);
        await new Round(_jobs, transaction, Counter)
            .Add(Statements.InsertJob, _settings.SchedulerName, job, JobGroup, null, JobClass, _jobs.Flag(false), _jobs.Flag(false), _jobs.Flag(false),
                _jobs.Flag(true), System.Text.Encoding.UTF8.GetBytes($"{{\"runId\":\"{runId}\"}}"))
            .Add(Statements.InsertTrigger, _settings.SchedulerName, trigger, TriggerGroup, job, JobGroup, null, at, null,
                _settings.JobsPaused ? "PAUSED" : "WAITING", "SIMPLE", at, null, null, 0, null, 5, null, null, _jobs.Flag(false), null, 0, null, null, null, null, null, null)
            .Add(Statements.InsertSimpleTrigger, _settings.SchedulerName, trigger, TriggerGroup, 0, 0L, 0)
            .RunAsync(cancellationToken);
        await CommitAsync(transaction, cancellationToken);
    }

    /// <summary>
    /// The scheduler thread's acquire-and-fire transaction: the due triggers (at most <paramref name="free"/>, Quartz's free
    /// threads), each marked acquired, read with its job, recorded as fired and marked complete. Returns their runs.
    /// </summary>
    public async Task<IReadOnlyList<(Guid RunId, string Trigger)>> AcquireAndFireAsync(int free, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow.UtcTicks;
        await using var transaction = await _jobs.BeginTransactionAsync(cancellationToken);
        var due = (await new Round(_jobs, transaction, Counter)
            .Add(Statements.AcquireTriggers.Replace("LIMIT 4", $"LIMIT {free}", StringComparison.Ordinal), _settings.SchedulerName, "WAITING",
                now + TimeSpan.FromSeconds(30).Ticks, now - TimeSpan.FromSeconds(60).Ticks, now, InstanceName, "*", now - TimeSpan.FromSeconds(15).Ticks)
            .RunAsync(cancellationToken))[0];
        if (due.Count == 0)
        {
            await CommitAsync(transaction, cancellationToken);
            return [];
        }

        var acquire = new Round(_jobs, transaction, Counter);
        foreach (var trigger in due)
        {
            acquire.AddExpecting(1, Statements.MarkTriggerAcquired, "ACQUIRED", _settings.SchedulerName, trigger[0], trigger[1], "WAITING", trigger[5])
                .Add(Statements.SelectTrigger, _settings.SchedulerName, trigger[0], trigger[1]);
        }

        var details = await acquire.RunAsync(cancellationToken);
        var read = new Round(_jobs, transaction, Counter);
        foreach (var trigger in due.Select((_, i) => details[(i * 2) + 1].Single()))
        {
            read.Add(Statements.SelectJob, _settings.SchedulerName, trigger[0], trigger[1]);
        }

        var jobs = await read.RunAsync(cancellationToken);
        var fire = new Round(_jobs, transaction, Counter);
        var fired = new List<(Guid, string)>();
        for (var i = 0; i < due.Count; i++)
        {
            var trigger = (string)due[i][0];
            var job = (string)jobs[i].Single()[0];
            var scheduledFor = due[i][5];
            fire.Add(Statements.InsertFiredTrigger, _settings.SchedulerName, $"{InstanceName}{Guid.NewGuid():N}", trigger, TriggerGroup, InstanceName,
                    DateTimeOffset.UtcNow.UtcTicks, scheduledFor, "EXECUTING", job, JobGroup, _jobs.Flag(false), _jobs.Flag(true), 5, null)
                .AddExpecting(1, Statements.UpdateTrigger, job, JobGroup, null, null, scheduledFor, "COMPLETE", "SIMPLE", scheduledFor, null, null, 0, 5, null,
                    null, 0, null, null, null, null, null, null, _settings.SchedulerName, trigger, TriggerGroup)
                .AddExpecting(1, Statements.UpdateSimpleTrigger, 0, 0L, 1, _settings.SchedulerName, trigger, TriggerGroup);
            fired.Add((RunIdOfJob(job), trigger));
        }

        await fire.RunAsync(cancellationToken);
        await CommitAsync(transaction, cancellationToken);
        return fired;
    }

    /// <summary>Quartz's TriggeredJobComplete for a one-off trigger of a non-durable job: the trigger, its firing and the job go.</summary>
    public async Task CompleteJobAsync(Guid runId, string trigger, CancellationToken cancellationToken)
    {
        var job = JobName(runId);
        await using var transaction = await _jobs.BeginTransactionAsync(cancellationToken);
        await new Round(_jobs, transaction, Counter)
            .Add(Statements.SelectContinuations, _settings.SchedulerName, "AWAITING", trigger, TriggerGroup)
            .Add(Statements.SelectTriggerState, _settings.SchedulerName, trigger, TriggerGroup)
            .RunAsync(cancellationToken);
        var left = await new Round(_jobs, transaction, Counter)
            .AddExpecting(1, Statements.DeleteSimpleTrigger, _settings.SchedulerName, trigger, TriggerGroup)
            .AddExpecting(1, Statements.DeleteTrigger, _settings.SchedulerName, trigger, TriggerGroup, "SIMPLE")
            .Add(Statements.DeleteOrphanFiredTrigger, _settings.SchedulerName, trigger, TriggerGroup)
            .Add(Statements.CountTriggersOfJob, _settings.SchedulerName, job, JobGroup)
            .RunAsync(cancellationToken);
        if (Convert.ToInt64(left[3].Single()[0], System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            await new Round(_jobs, transaction, Counter)
                .Add(Statements.DeleteFiredTriggersOfJob, _settings.SchedulerName, job, JobGroup)
                .AddExpecting(1, Statements.DeleteJob, _settings.SchedulerName, job, JobGroup)
                .RunAsync(cancellationToken);
        }

        await CommitAsync(transaction, cancellationToken);
    }

    // ---------------------------------------------------------------- values as the app writes them

    private object?[] Audit(string action, string actorId, string actorName, string? after, string? before, FloorBuild build, decimal? cost,
        string? detail, string entityId, string entityType, int? inputTokens, string? modelId, DateTimeOffset at, int? outputTokens, int? promptVersion) =>
        [action, actorId, actorName, after, before, _app.Id(build.Id), cost, detail, entityId, entityType, null, inputTokens, modelId, _app.Time(at),
            outputTokens, null, build.ProjectId, promptVersion, null];

    private object?[] Outbox(string kind, string payload, DateTimeOffset at) => [0, _app.Time(at), null, _app.Time(at), kind, null, payload];

    private object?[] NewRun(FloorBuild build, FloorRun run, DateTimeOffset at) =>
    [
        _app.Id(run.Id), 1, _app.Id(build.Id), null, null, 0m, null, null, null, null, null, 0, null, 0, null, null, null, 0, run.Phase.ToString(),
        null, null, null, _app.Time(at), run.Phase.Role().ToString(), null, "Queued", 0,
    ];

    private static string ScheduleRunPayload(Guid runId) => $"{{\"runId\":\"{runId}\"}}";

    private static string BuildChangedPayload(FloorBuild build, string state, string what) =>
        $"{{\"buildId\":\"{build.Id}\",\"projectId\":\"{build.ProjectId}\",\"state\":\"{state}\",\"what\":\"{what}\"}}";

    // {"runId":"<36 characters>"} and run-<36 characters>: the app reads them with System.Text.Json and Quartz's job key.
    private static Guid RunIdOfPayload(string payload) => Guid.Parse(payload.AsSpan(payload.Length - 38, 36));

    private static Guid RunIdOfJob(string job) => Guid.Parse(job.AsSpan(job.Length - 36));

    private static string JobName(Guid runId) => $"run-{runId}";

    /// <summary>The task as <see cref="ChatHistoryFactory.BuildUserMessage"/> words it for a first attempt.</summary>
    private static string UserMessage(FloorBuild build, Phase phase)
    {
        var approved = build.ApprovedOutputs.Count == 0
            ? "None yet: this is the first phase of the build.\n\n"
            : string.Concat(build.ApprovedOutputs.Select(o => $"{ChatHistoryFactory.ApprovedOutputHeading(o.Phase)}\n\n{o.Output.Trim()}\n\n"));
        return $"{ChatHistoryFactory.TitlePrefix}{build.Title}\n\n{ChatHistoryFactory.RequirementsHeading}\n\n{build.Requirements}\n\n" +
            $"{ChatHistoryFactory.ApprovedOutputsHeading}\n\n{approved}{ChatHistoryFactory.TaskHeading}\n\n" +
            $"{ChatHistoryFactory.PhasePrefix}{phase} (attempt 1). Produce the {phase.ArtifactName().ToLowerInvariant()}.\n\n{ChatHistoryFactory.TaskInstruction(phase)}";
    }
}

/// <param name="ActorId">Who starts the floor's builds (a user of the app's, with a project named <paramref name="ProjectName"/>).</param>
/// <param name="JobsPaused">Quartz's triggers are paused, as the orchestration scenario leaves them: a stored trigger is PAUSED.</param>
/// <param name="AppSynchronous">The app's own connections' synchronous setting on SQLite.</param>
internal sealed record FloorSettings(string ActorId, string ActorName, string ProjectName, string SchedulerName, bool JobsPaused, string AppSynchronous = "FULL");

/// <summary>
/// What the floor keeps of a build between its statements, as the executor keeps the claimed build. Its runs' ids are chosen
/// up front, so that a job that names one can be matched to its build as soon as it is stored.
/// </summary>
internal sealed class FloorBuild(string title, string requirements)
{
    private readonly Dictionary<Phase, Guid> _runIds = PhaseExtensions.All.ToDictionary(p => p, _ => Guid.NewGuid());

    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>As read from the database: the provider's value, passed back as it came.</summary>
    public object ProjectId { get; set; } = DBNull.Value;

    public string Title { get; } = title;

    public string Requirements { get; } = requirements;

    public IEnumerable<Guid> RunIds => _runIds.Values;

    public FloorRun? Current { get; private set; }

    public List<(Phase Phase, string Output)> ApprovedOutputs { get; } = [];

    public bool IsComplete => Current is null && ApprovedOutputs.Count == PhaseExtensions.All.Count;

    public FloorRun Queue(Phase phase) => new(_runIds[phase], phase);

    public void Approved(Phase phase, string output, FloorRun? next)
    {
        ApprovedOutputs.Add((phase, output));
        Current = next;
    }

    public void Started(FloorRun first) => Current = first;
}

internal sealed record FloorRun(Guid Id, Phase Phase);
