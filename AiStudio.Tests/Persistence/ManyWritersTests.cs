using AiStudio.Core.Audit;
using AiStudio.Core.Billing;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Execution;
using AiStudio.Core.Persistence;
using AiStudio.Core.Projects;
using AiStudio.Tests.Billing;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiStudio.Tests.Persistence;

/// <summary>
/// Rules that must hold with many writers at once, on every database: SQLite admits one writer at a time, PostgreSQL and SQL
/// Server run transactions side by side under READ COMMITTED. Each test makes its requests meet before they write
/// (<see cref="Rendezvous"/>) and checks that they all did; on a server database they meet inside their transactions, so
/// every transaction is open at the same moment.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class ManyWritersTests
{
    private const string Requirements = "Customers receive an email reminder seven days before an invoice is due, and finance can switch it off per customer.";
    private const int AtOnce = 20;

    [Fact]
    public async Task StartAsync_TwentyAtOnceWithTwoBuildsLeftThisMonth_ExactlyTwoStart()
    {
        var meeting = new Meeting();
        await using var app = await StartAsync(EntitlementTests.Plans(), meeting);
        var actor = await app.CreateUserAsync("quota@example.com");
        var commands = app.Get<IBuildCommands>();
        for (var i = 1; i <= 3; i++)
        {
            await commands.StartAsync(actor, new NewBuildRequest("Quota", $"Build {i}", Requirements));
        }

        // After the first check, which all pass (3 of 5 used), all twenty go on to their transactions at once. Without the
        // lock on the starter's row, PostgreSQL let 13 of them start here.
        var rendezvous = meeting.Set(Rendezvous.AtFirstQuotaCheck(AtOnce));
        var outcomes = await AllAtOnceAsync(i => commands.StartAsync(actor, new NewBuildRequest("Quota", $"At once {i}", Requirements)));

        Assert.Equal(AtOnce, rendezvous.Met);
        Assert.Equal(2, outcomes.Count(o => o is null));
        Assert.All(outcomes.OfType<Exception>(), e => Assert.Contains("5 of the 5 builds your Free plan allows this month", Assert.IsType<PlanLimitException>(e).Message));
        await using var db = await app.CreateDbContextAsync();
        await StartedBuilds.AssertCountAsync(db, actor.UserId, 5);
    }

    [Fact]
    public async Task ApproveAsync_TwentyAtOnceOnOneAttempt_OneAdvanceAndNineteenClearRefusals()
    {
        var meeting = new Meeting();
        await using var app = await StartAsync(null, meeting);
        var actor = await app.CreateUserAsync("approver@example.com");
        var (buildId, runId, version) = await DiscoveryAwaitingApprovalAsync(app, actor);

        var rendezvous = meeting.Set(IsServer(app) ? Rendezvous.BeforeStatement(AtOnce, "UPDATE \"Builds\"") : AfterDecisionLoad(AtOnce));
        var outcomes = await AllAtOnceAsync(_ => app.Get<IBuildCommands>().ApproveAsync(actor, buildId, runId, version));

        Assert.Equal(AtOnce, rendezvous.Met);
        Assert.Single(outcomes, o => o is null);
        Assert.All(outcomes.OfType<Exception>(), e => Assert.StartsWith("Someone else acted on this build a moment ago",
            Assert.IsType<ConcurrencyConflictException>(e).Message));
        await using var db = await app.CreateDbContextAsync();
        var runs = await db.PhaseRuns.AsNoTracking().Where(r => r.BuildId == buildId).OrderBy(r => r.QueuedAt).ToListAsync();
        Assert.Equal([(Phase.Discovery, PhaseRunStatus.Approved), (Phase.Planning, PhaseRunStatus.Queued)], runs.Select(r => (r.Phase, r.Status)));
        Assert.Equal(BuildState.Planning, await db.Builds.Where(b => b.Id == buildId).Select(b => b.State).SingleAsync());
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.PhaseApproved));
        Assert.Equal(1, await db.PhaseRunApprovals.CountAsync(a => a.PhaseRunId == runId));
    }

    [Fact]
    public async Task ApproveAsync_TwentyEditorsAtOnceWhereTwoApprovalsAreNeeded_OneApprovalCountsAndThePhaseWaitsForASecond()
    {
        var meeting = new Meeting();
        await using var app = await StartAsync(null, meeting);
        var owner = await app.CreateUserAsync("owner@example.com");
        var (buildId, runId, _) = await DiscoveryAwaitingApprovalAsync(app, owner);
        var projects = app.Get<IProjectService>();
        var projectId = (await projects.ListAsync(owner)).Single().Id;
        await projects.UpdateSettingsAsync(owner, projectId, (await projects.GetAsync(owner, projectId))!.Version, new ApprovalRules(RequiredApprovals: 2));
        var editors = new List<Actor>();
        for (var i = 0; i < AtOnce; i++)
        {
            var editor = await app.CreateUserAsync($"editor{i}@example.com");
            await projects.AddMemberAsync(owner, projectId, (await projects.GetAsync(owner, projectId))!.Version, editor.DisplayName, ProjectRole.Editor);
            editors.Add(editor);
        }

        var version = (await app.Get<IBuildQueries>().GetAsync(owner, buildId))!.Version;
        var rendezvous = meeting.Set(IsServer(app) ? Rendezvous.BeforeStatement(AtOnce, "UPDATE \"Builds\"") : AfterDecisionLoad(AtOnce));
        var outcomes = await AllAtOnceAsync(i => app.Get<IBuildCommands>().ApproveAsync(editors[i], buildId, runId, version));

        Assert.Equal(AtOnce, rendezvous.Met);
        Assert.Single(outcomes, o => o is null);
        Assert.All(outcomes.OfType<Exception>(), e => Assert.IsType<ConcurrencyConflictException>(e));
        await using var db = await app.CreateDbContextAsync();
        Assert.Equal(1, await db.PhaseRunApprovals.CountAsync(a => a.PhaseRunId == runId));
        Assert.Equal(PhaseRunStatus.AwaitingApproval, await db.PhaseRuns.Where(r => r.Id == runId).Select(r => r.Status).SingleAsync());
        Assert.Equal(BuildState.Discovery, await db.Builds.Where(b => b.Id == buildId).Select(b => b.State).SingleAsync());
    }

    [Fact]
    public async Task ExecuteAsync_FiredTwentyTimesAtOnce_ClaimsAndRunsTheAttemptOnce()
    {
        var meeting = new Meeting();
        await using var app = await StartAsync(null, meeting);
        var actor = await app.CreateUserAsync("claims@example.com");
        var buildId = await app.Get<IBuildCommands>().StartAsync(actor, new NewBuildRequest("Claims", "Invoice reminders", Requirements));
        var runId = await meeting.Scheduler.SingleHandedOverAsync();

        var rendezvous = meeting.Set(IsServer(app) ? Rendezvous.BeforeStatement(AtOnce, "UPDATE \"PhaseRuns\"") : AfterClaimRead(AtOnce));
        var outcomes = await AllAtOnceAsync(_ => app.Get<PhaseRunExecutor>().ExecuteAsync(runId, CancellationToken.None));

        Assert.Equal(AtOnce, rendezvous.Met);
        Assert.All(outcomes, o => Assert.Null(o));
        await using var db = await app.CreateDbContextAsync();
        var run = await db.PhaseRuns.AsNoTracking().SingleAsync(r => r.Id == runId);
        Assert.Equal((PhaseRunStatus.AwaitingApproval, 1), (run.Status, run.ExecutionCount));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.RunStarted));
        Assert.Equal(3, await db.ConversationMessages.CountAsync(m => m.PhaseRunId == runId));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AddMemberAsync_FiveAtOnceWithTwoPlacesLeft_OneIsAddedAndTheRestAreToldSomeoneChangedIt(bool samePerson)
    {
        var meeting = new Meeting();
        await using var app = await StartAsync(EntitlementTests.Plans(), meeting);
        var owner = await app.CreateUserAsync("owner@example.com");
        var projects = app.Get<IProjectService>();
        var projectId = await projects.CreateAsync(owner, "Members");
        var version = (await projects.GetAsync(owner, projectId))!.Version;
        var people = new List<Actor>();
        for (var i = 0; i < 5; i++)
        {
            people.Add(await app.CreateUserAsync($"member{i}@example.com"));
        }

        var rendezvous = meeting.Set(IsServer(app) ? Rendezvous.BeforeStatement(5, "UPDATE \"Projects\"") : AfterMembersLoad(5));
        var outcomes = await AllAtOnceAsync(i => projects.AddMemberAsync(owner, projectId, version, people[samePerson ? 0 : i].DisplayName, ProjectRole.Editor), 5);

        Assert.Equal(5, rendezvous.Met);
        Assert.Single(outcomes, o => o is null);
        Assert.All(outcomes.OfType<Exception>(), e => Assert.IsType<ConcurrencyConflictException>(e));
        var members = (await projects.GetAsync(owner, projectId))!.Members;
        Assert.Equal(2, members.Count);
    }

    [Fact]
    public async Task AuditEvents_FourWritersAndTwoSealersAtOnce_ChainVerifies()
    {
        const int writers = 4;
        const int saves = 10;
        const int eventsPerSave = 5;
        var meeting = new Meeting();
        await using var app = await StartAsync(null, meeting);
        var admin = await app.CreateUserAsync("admin@example.com", isAdmin: true);
        var contexts = app.Get<IDbContextFactory<AiStudioDbContext>>();

        // A second sealer over the same database, as another node runs one: the chain must not fork between them.
        var otherNode = new AuditSealer(contexts, new AuditSealSignal(), TimeProvider.System, NullLogger<AuditSealer>.Instance);
        using var stopSealing = new CancellationTokenSource();
        var sealing = Task.Run(async () =>
        {
            while (!stopSealing.IsCancellationRequested)
            {
                await otherNode.SealPendingAsync();
            }
        });

        // SQLite: the writers start together. Server database: their first transactions are all open at once.
        var rendezvous = meeting.Set(IsServer(app) ? Rendezvous.BeforeStatement(writers, "INSERT INTO \"AuditEvents\"") : new Rendezvous(0, _ => false));
        var outcomes = await AllAtOnceAsync(
            async w =>
            {
                for (var s = 0; s < saves; s++)
                {
                    await using var db = await contexts.CreateDbContextAsync();
                    for (var e = 0; e < eventsPerSave; e++)
                    {
                        db.AuditEvents.Add(AuditEvent.Create(DateTimeOffset.UtcNow, admin.UserId, admin.DisplayName, "test.written", "Writer", $"{w}/{s}/{e}"));
                    }

                    await db.SaveChangesAsync();
                }
            },
            writers);
        stopSealing.Cancel();
        await sealing;
        await app.Get<IAuditSealer>().SealPendingAsync();

        Assert.All(outcomes, o => Assert.Null(o));
        Assert.True(!IsServer(app) || rendezvous.Met == writers, $"the writers' transactions should all have been open together; {rendezvous.Met} met");
        var verification = await app.Get<IAuditChainVerifier>().VerifyAsync(admin);
        Assert.True(verification.IsIntact, verification.Summary);
        await using var read = await app.CreateDbContextAsync();
        var written = await read.AuditEvents.CountAsync(e => e.Action == "test.written");
        Assert.Equal(writers * saves * eventsPerSave, written);
        Assert.Equal(await read.AuditEvents.LongCountAsync(), verification.EventsVerified);
    }

    /// <summary>The interceptor a test arms once its scene is set; the host is built with it in place.</summary>
    private sealed class Meeting : DbCommandInterceptor
    {
        private Rendezvous? _rendezvous;

        public RecordingPhaseRunScheduler Scheduler { get; } = new();

        public Rendezvous Set(Rendezvous rendezvous)
        {
            rendezvous.Arm();
            _rendezvous = rendezvous;
            return rendezvous;
        }

        public override ValueTask<System.Data.Common.DbDataReader> ReaderExecutedAsync(System.Data.Common.DbCommand command, CommandExecutedEventData eventData,
            System.Data.Common.DbDataReader result, CancellationToken cancellationToken = default) =>
            _rendezvous?.ReaderExecutedAsync(command, eventData, result, cancellationToken) ?? ValueTask.FromResult(result);

        public override ValueTask<InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(System.Data.Common.DbCommand command,
            CommandEventData eventData, InterceptionResult<System.Data.Common.DbDataReader> result, CancellationToken cancellationToken = default) =>
            _rendezvous?.ReaderExecutingAsync(command, eventData, result, cancellationToken) ?? ValueTask.FromResult(result);

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(System.Data.Common.DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            _rendezvous?.NonQueryExecutingAsync(command, eventData, result, cancellationToken) ?? ValueTask.FromResult(result);
    }

    // Runs are executed by the test where it wants them; nothing else competes with what is measured.
    private static Task<TestAppHost> StartAsync(Dictionary<string, string?>? settings, Meeting meeting) =>
        TestAppHost.StartAsync(settings, services =>
        {
            services.AddSingleton<IPhaseRunScheduler>(meeting.Scheduler);
            services.AddSingleton<IInterceptor>(meeting);
        });

    private static bool IsServer(TestAppHost app) => app.Get<DatabaseSettings>().Provider != DatabaseProvider.Sqlite;

    // The decision's load of the build with its runs and approvals, outside any transaction.
    private static Rendezvous AfterDecisionLoad(int requests) => new(requests, c => c.Transaction is null
        && c.CommandText.Contains("\"PhaseRunApprovals\"", StringComparison.Ordinal) && c.CommandText.Contains("\"Builds\"", StringComparison.Ordinal));

    // The executor's read of the run's build with its runs, before it claims.
    private static Rendezvous AfterClaimRead(int requests) => new(requests, c => c.Transaction is null
        && c.CommandText.Contains("\"Builds\"", StringComparison.Ordinal) && c.CommandText.Contains("\"PhaseRuns\"", StringComparison.Ordinal)
        && !c.CommandText.Contains("\"PhaseRunApprovals\"", StringComparison.Ordinal));

    // The project with its members, as an owner's change loads it.
    private static Rendezvous AfterMembersLoad(int requests) => new(requests, c => c.Transaction is null
        && c.CommandText.Contains("\"ProjectMembers\"", StringComparison.Ordinal) && c.CommandText.Contains("\"Projects\"", StringComparison.Ordinal));

    /// <summary>Runs <paramref name="count"/> requests on the thread pool at once; each outcome is null or what it threw.</summary>
    private static Task<Exception?[]> AllAtOnceAsync(Func<int, Task> request, int count = AtOnce) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            try
            {
                await request(i);
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        })));

    private static async Task<(Guid BuildId, Guid RunId, int Version)> DiscoveryAwaitingApprovalAsync(TestAppHost app, Actor actor)
    {
        var buildId = await app.Get<IBuildCommands>().StartAsync(actor, new NewBuildRequest("Approvals", "Invoice reminders", Requirements));
        await using (var db = await app.CreateDbContextAsync())
        {
            var runId = await db.PhaseRuns.Where(r => r.BuildId == buildId).Select(r => r.Id).SingleAsync();
            await app.Get<PhaseRunExecutor>().ExecuteAsync(runId, CancellationToken.None);
        }

        var details = (await app.Get<IBuildQueries>().GetAsync(actor, buildId))!;
        Assert.Equal(PhaseRunStatus.AwaitingApproval, details.CurrentRun!.Status);
        return (buildId, details.CurrentRun.Id, details.Version);
    }
}
