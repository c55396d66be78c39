using System.Collections.Concurrent;
using System.Net;
using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Execution;
using AiStudio.Core.Roles;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace AiStudio.Tests.Builds;

/// <summary>
/// Every kind of verdict through <see cref="IBuildCommands"/>, with the real worker (Quartz) and the offline model:
/// what the next attempt is told, what is kept, what the audit trail says.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class BuildVerdictServiceTests(BuildVerdictServiceTests.HostFixture fixture) : IClassFixture<BuildVerdictServiceTests.HostFixture>
{
    private const string Requirements =
        "Customers receive an email reminder seven days before an invoice is due. Finance staff can switch reminders off per customer.";

    private TestAppHost App => fixture.Host;
    private IBuildCommands Commands => App.Get<IBuildCommands>();
    private IBuildQueries Queries => App.Get<IBuildQueries>();

    [Fact]
    public async Task DecideAsync_ApproveWithEdit_NextPhaseSeesTheHumanVersionAndTheModelsOutputIsKept()
    {
        var actor = await NewUserAsync();
        var buildId = await StartAsync(actor);
        var discovery = await App.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);
        const string edited = "## Requirements\n\n1. Reminders go out by email 7 days before the due date, at 08:00 customer time.";

        await DecideAsync(actor, buildId, discovery.Id, new Verdict.Approve(edited));

        var planning = await App.ForRunAsync(buildId, Phase.Planning, 1, PhaseRunStatus.AwaitingApproval);
        var task = await TaskMessageAsync(actor, buildId, planning.Id);
        Assert.Contains(edited, task);
        Assert.DoesNotContain(discovery.Output!.Trim(), task);
        var kept = (await Queries.GetAsync(actor, buildId))!.Runs.Single(r => r.Id == discovery.Id);
        Assert.Equal((discovery.Output, edited, actor.DisplayName), (kept.Output, kept.EditedOutput, kept.EditedBy));
        await AssertOneAuditRowAsync(buildId, AuditActions.PhaseApproved, actor, "Discovery approved with the reviewer's edits");
    }

    [Fact]
    public async Task DecideAsync_Reject_SecondAttemptIsToldTheReason()
    {
        var actor = await NewUserAsync();
        var buildId = await StartAsync(actor);
        var first = await App.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);
        const string reason = "Reminders must also go out by SMS for customers without an email address.";

        await DecideAsync(actor, buildId, first.Id, new Verdict.Reject(reason));

        var second = await App.ForRunAsync(buildId, Phase.Discovery, 2, PhaseRunStatus.AwaitingApproval);
        Assert.Equal(reason, second.Feedback);
        Assert.Contains(reason, await TaskMessageAsync(actor, buildId, second.Id));
        var runs = (await Queries.GetAsync(actor, buildId))!.Runs;
        Assert.Equal([(1, PhaseRunStatus.Rejected), (2, PhaseRunStatus.AwaitingApproval)], runs.Select(r => (r.Attempt, r.Status)));
        await AssertOneAuditRowAsync(buildId, AuditActions.PhaseRejected, actor, $"Discovery rejected: {reason}");
    }

    [Fact]
    public async Task DecideAsync_SendBackFromVerificationToImplementation_SupersedesLaterApprovalsAndDeletesNothing()
    {
        var actor = await NewUserAsync();
        var buildId = await StartAsync(actor);
        var verification = await ApproveUntilAsync(actor, buildId, Phase.Verification);
        var before = (await Queries.GetAsync(actor, buildId))!.Runs;
        const string reason = "The reminder job must skip invoices that are already paid.";

        await DecideAsync(actor, buildId, verification.Id, new Verdict.SendBack(Phase.Implementation, reason));

        var again = await App.ForRunAsync(buildId, Phase.Implementation, 2, PhaseRunStatus.AwaitingApproval);
        Assert.Equal(reason, again.Feedback);
        Assert.Contains(reason, await TaskMessageAsync(actor, buildId, again.Id));
        var after = (await Queries.GetAsync(actor, buildId))!;
        Assert.Equal(BuildState.Implementation, after.State);
        Assert.Equal(before.Count + 1, after.Runs.Count);
        Assert.All(before, earlier => Assert.Contains(after.Runs, r => r.Id == earlier.Id && r.Output == earlier.Output));
        Assert.Equal(
            [
                (Phase.Discovery, PhaseRunStatus.Approved), (Phase.Planning, PhaseRunStatus.Approved),
                (Phase.Implementation, PhaseRunStatus.Superseded), (Phase.Testing, PhaseRunStatus.Superseded),
                (Phase.Verification, PhaseRunStatus.Cancelled), (Phase.Implementation, PhaseRunStatus.AwaitingApproval),
            ],
            after.Runs.Select(r => (r.Phase, r.Status)));
        await AssertOneAuditRowAsync(buildId, AuditActions.PhaseSentBack, actor, $"Verification sent back to Implementation: {reason}");
    }

    [Fact]
    public async Task PauseAsync_NextRunQueued_WorkerLeavesItQueuedUntilResumeThenItRuns()
    {
        var actor = await NewUserAsync();
        var buildId = await StartAsync(actor);
        var discovery = await App.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);

        // Planning is queued, but the worker does not hear of it until the build is paused.
        fixture.Scheduler.Hold();
        await DecideAsync(actor, buildId, discovery.Id, new Verdict.Approve());
        await Commands.PauseAsync(actor, buildId, (await Queries.GetAsync(actor, buildId))!.Version);
        var planningId = (await Queries.GetAsync(actor, buildId))!.CurrentRun!.Id;
        await fixture.Scheduler.ReleaseAsync();
        await fixture.WaitUntilJobFinishedAsync(planningId);

        await using (var db = await App.CreateDbContextAsync())
        {
            var held = await db.Builds.Include(b => b.Runs).AsNoTracking().SingleAsync(b => b.Id == buildId);
            var planning = held.Runs.Single(r => r.Id == planningId);
            Assert.Equal((BuildState.OnHold, Phase.Planning), (held.State, held.SuspendedPhase));
            Assert.Equal((PhaseRunStatus.Queued, 0, (DateTimeOffset?)null), (planning.Status, planning.ExecutionCount, planning.StartedAt));
        }

        await Commands.ResumeAsync(actor, buildId, (await Queries.GetAsync(actor, buildId))!.Version);

        var ran = await App.ForRunAsync(buildId, Phase.Planning, 1, PhaseRunStatus.AwaitingApproval);
        Assert.Equal(planningId, ran.Id);
        Assert.Equal(1, ran.ExecutionCount);
        Assert.Equal(BuildState.Planning, (await Queries.GetAsync(actor, buildId))!.State);
        await AssertOneAuditRowAsync(buildId, AuditActions.BuildHeld, actor, $"Paused by {actor.DisplayName}.");
        await AssertOneAuditRowAsync(buildId, AuditActions.BuildResumed, actor, "Resumed at Planning");
    }

    [Fact]
    public async Task ResumeAsync_WhileTheWorkerIsStillFinishingTheHeldRunsJob_TheRunStillRuns()
    {
        var actor = await NewUserAsync();
        var buildId = await StartAsync(actor);
        var discovery = await App.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);
        fixture.Scheduler.Hold();
        await DecideAsync(actor, buildId, discovery.Id, new Verdict.Approve());
        await Commands.PauseAsync(actor, buildId, (await Queries.GetAsync(actor, buildId))!.Version);
        var planningId = (await Queries.GetAsync(actor, buildId))!.CurrentRun!.Id;
        var finishing = new JobFinishingGate(planningId);
        var scheduler = await App.Get<ISchedulerFactory>().GetScheduler();
        scheduler.ListenerManager.AddJobListener(finishing, []);
        try
        {
            // The worker has found the build on hold and left the run queued, but its job is not over yet.
            await fixture.Scheduler.ReleaseAsync();
            await finishing.Reached.WaitAsync(RunWaits.Timeout);

            await Commands.ResumeAsync(actor, buildId, (await Queries.GetAsync(actor, buildId))!.Version);
        }
        finally
        {
            finishing.Open();
            scheduler.ListenerManager.RemoveJobListener(finishing.Name);
        }

        var ran = await App.ForRunAsync(buildId, Phase.Planning, 1, PhaseRunStatus.AwaitingApproval);
        Assert.Equal((planningId, 1), (ran.Id, ran.ExecutionCount));
    }

    [Fact]
    public async Task CancelAsync_WithReason_CancelsTheBuildAndItsOpenRunsAndAuditsTheReason()
    {
        var actor = await NewUserAsync();
        var buildId = await StartAsync(actor);
        var discovery = await App.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);
        fixture.Scheduler.Hold();
        await DecideAsync(actor, buildId, discovery.Id, new Verdict.Approve());
        const string reason = "Finance bought a reminder service instead.";

        await Commands.CancelAsync(actor, buildId, (await Queries.GetAsync(actor, buildId))!.Version, reason);
        var planningId = (await Queries.GetAsync(actor, buildId))!.Runs.Single(r => r.Phase == Phase.Planning).Id;
        await fixture.Scheduler.ReleaseAsync();
        await fixture.WaitUntilJobFinishedAsync(planningId);

        var cancelled = (await Queries.GetAsync(actor, buildId))!;
        Assert.Equal(BuildState.Cancelled, cancelled.State);
        Assert.Equal($"Cancelled by {actor.DisplayName}: {reason}", cancelled.StatusReason);
        Assert.Equal([PhaseRunStatus.Approved, PhaseRunStatus.Cancelled], cancelled.Runs.Select(r => r.Status));
        Assert.Equal(actor.DisplayName, cancelled.Runs[1].DecidedBy);
        Assert.Null(cancelled.Runs[1].Output);
        await AssertOneAuditRowAsync(buildId, AuditActions.BuildCancelled, actor, reason);
    }

    [Fact]
    public async Task RetryAsync_ModelServerFailedThenFixed_RunFailsWithPlainMessageAndTheRetryCompletes()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.ErrorStatus = HttpStatusCode.InternalServerError;
        server.ErrorMessage = "The server had an error while processing your request.";
        await using var app = await TestAppHost.StartAsync(new Dictionary<string, string?>
        {
            ["Models:Default:Provider"] = "OpenAI",
            ["Models:Default:Model"] = "fake-model",
            ["Models:Default:BaseUrl"] = server.BaseUrl,
            ["Models:Default:ApiKey"] = "sk-test-key",
        });
        var actor = await app.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        var commands = app.Get<IBuildCommands>();
        var queries = app.Get<IBuildQueries>();
        var buildId = await commands.StartAsync(actor, new NewBuildRequest("Billing", "Invoice reminders", Requirements));

        var failed = await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.Failed);

        Assert.StartsWith($"The model server at {server.BaseUrl}/v1 answered 500 Internal Server Error: The server had an error", failed.Error);
        Assert.DoesNotContain("Exception", failed.Error);
        Assert.DoesNotContain("\n", failed.Error);
        var details = (await queries.GetAsync(actor, buildId))!;
        Assert.Equal((BuildState.Failed, Phase.Discovery, failed.Error), (details.State, details.CurrentPhase, details.StatusReason));

        server.ErrorStatus = null;
        server.ResponseText = "## Requirements\n\n1. Reminders go out seven days before the due date.";
        await commands.RetryAsync(actor, buildId, details.Version);

        var retried = await app.ForRunAsync(buildId, Phase.Discovery, 2, PhaseRunStatus.AwaitingApproval);
        Assert.Equal(server.ResponseText, retried.Output);
        var after = (await queries.GetAsync(actor, buildId))!;
        Assert.Equal(BuildState.Discovery, after.State);
        Assert.Null(after.StatusReason);
        Assert.Equal([PhaseRunStatus.Failed, PhaseRunStatus.AwaitingApproval], after.Runs.Select(r => r.Status));
        await using var db = await app.CreateDbContextAsync();
        var retry = await db.AuditEvents.SingleAsync(e => e.BuildId == buildId && e.Action == AuditActions.RunRetried);
        Assert.Equal((actor.UserId, actor.DisplayName, "Discovery retried as attempt 2"), (retry.ActorId, retry.ActorName, retry.Detail));
        Assert.Equal(failed.Error, (await db.AuditEvents.SingleAsync(e => e.BuildId == buildId && e.Action == AuditActions.RunFailed)).Detail);
    }

    [Fact]
    public async Task StartAsync_AutomaticPolicy_CompletesOnItsOwnAndTheAuditNamesTheAutomaticDecider()
    {
        var actor = await NewUserAsync();

        var buildId = await Commands.StartAsync(actor,
            new NewBuildRequest("Billing", "Invoice reminders", Requirements, new BuildGovernance(ApprovalPolicy.Automatic)));

        BuildDetails? details = null;
        await Eventually.Until(
            async () => (details = await Queries.GetAsync(actor, buildId))!.State == BuildState.Complete,
            TimeSpan.FromSeconds(30),
            $"the automatic build should complete; it is {details?.State} with {details?.CurrentRun?.Phase} {details?.CurrentRun?.Status}");
        Assert.Equal(PhaseExtensions.All, details!.Runs.Select(r => r.Phase));
        Assert.All(details.Runs, r => Assert.Equal((PhaseRunStatus.Approved, PhaseRunExecutor.AutomaticDecider), (r.Status, r.DecidedBy)));
        await using var db = await App.CreateDbContextAsync();
        var decisions = await db.AuditEvents
            .Where(e => e.BuildId == buildId && (e.Action == AuditActions.PhaseApproved || e.Action == AuditActions.BuildCompleted))
            .ToListAsync();
        Assert.Equal(6, decisions.Count(e => e.Action == AuditActions.PhaseApproved));
        Assert.Single(decisions, e => e.Action == AuditActions.BuildCompleted);
        Assert.All(decisions, e => Assert.Equal("AiStudio (automatic policy)", e.ActorName));
    }

    [Fact]
    public async Task DecideAsync_ApproveAndRejectAtOnceWithSameVersion_ExactlyOneAppliesAndOneRunIsQueued()
    {
        var actor = await NewUserAsync();
        var colleague = new Actor(actor.UserId, "colleague@example.com");
        var buildId = await StartAsync(actor);
        var discovery = await App.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);
        var version = (await Queries.GetAsync(actor, buildId))!.Version;

        var outcomes = await Task.WhenAll(
            OutcomeOf(() => Commands.DecideAsync(actor, buildId, discovery.Id, version, new Verdict.Approve())),
            OutcomeOf(() => Commands.DecideAsync(colleague, buildId, discovery.Id, version, new Verdict.Reject("Cover SMS reminders too."))));

        Assert.Single(outcomes, e => e is null);
        Assert.IsType<ConcurrencyConflictException>(Assert.Single(outcomes, e => e is not null));
        var approved = outcomes[0] is null;
        var runs = (await Queries.GetAsync(actor, buildId))!.Runs;
        Assert.Equal(2, runs.Count);
        Assert.Equal(approved ? PhaseRunStatus.Approved : PhaseRunStatus.Rejected, runs.Single(r => r.Id == discovery.Id).Status);
        Assert.Equal(approved ? (Phase.Planning, 1) : (Phase.Discovery, 2), (runs[1].Phase, runs[1].Attempt));
        await using var db = await App.CreateDbContextAsync();
        var verdicts = await db.AuditEvents
            .Where(e => e.BuildId == buildId && (e.Action == AuditActions.PhaseApproved || e.Action == AuditActions.PhaseRejected))
            .ToListAsync();
        Assert.Equal(approved ? AuditActions.PhaseApproved : AuditActions.PhaseRejected, Assert.Single(verdicts).Action);
    }

    private async Task<Actor> NewUserAsync() => await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");

    private Task<Guid> StartAsync(Actor actor) => Commands.StartAsync(actor, new NewBuildRequest("Billing", "Invoice reminders", Requirements));

    private async Task DecideAsync(Actor actor, Guid buildId, Guid runId, Verdict verdict) =>
        await Commands.DecideAsync(actor, buildId, runId, (await Queries.GetAsync(actor, buildId))!.Version, verdict);

    /// <summary>Approves each phase's first attempt as it finishes, up to <paramref name="phase"/>, whose attempt is returned awaiting approval.</summary>
    private async Task<PhaseRun> ApproveUntilAsync(Actor actor, Guid buildId, Phase phase)
    {
        foreach (var earlier in PhaseExtensions.All.Where(p => p < phase))
        {
            var run = await App.ForRunAsync(buildId, earlier, 1, PhaseRunStatus.AwaitingApproval);
            await DecideAsync(actor, buildId, run.Id, new Verdict.Approve());
        }

        return await App.ForRunAsync(buildId, phase, 1, PhaseRunStatus.AwaitingApproval);
    }

    /// <summary>The new user message of an attempt: what this attempt was asked to do, after the role's earlier turns.</summary>
    private async Task<string> TaskMessageAsync(Actor actor, Guid buildId, Guid runId) =>
        (await Queries.InspectRunAsync(actor, buildId, runId))!.Messages.Last(m => m.Author == MessageAuthor.User).Content;

    private async Task AssertOneAuditRowAsync(Guid buildId, string action, Actor actor, string detail)
    {
        await using var db = await App.CreateDbContextAsync();
        var row = Assert.Single(await db.AuditEvents.Where(e => e.BuildId == buildId && e.Action == action).ToListAsync());
        Assert.Equal((actor.UserId, actor.DisplayName), (row.ActorId, row.ActorName));
        Assert.Contains(detail, row.Detail);
    }

    private static async Task<Exception?> OutcomeOf(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    /// <summary>A host whose runs reach the real Quartz worker through a scheduler that a test can hold back for a moment.</summary>
    public sealed class HostFixture : IAsyncLifetime
    {
        private TestAppHost? _host;

        public TestAppHost Host => _host ?? throw new InvalidOperationException("The host has not started.");

        public HoldableScheduler Scheduler => (HoldableScheduler)Host.Get<IPhaseRunScheduler>();

        public async Task InitializeAsync() =>
            _host = await TestAppHost.StartAsync(settings: null, services => services.AddSingleton<IPhaseRunScheduler>(
                provider => new HoldableScheduler(new QuartzPhaseRunScheduler(provider.GetRequiredService<ISchedulerFactory>()))));

        /// <summary>
        /// Waits until the worker has taken the run's job and finished with it: Quartz deletes a one-off job
        /// only after its execution ends, whatever the executor decided to do.
        /// </summary>
        public async Task WaitUntilJobFinishedAsync(Guid runId)
        {
            var scheduler = await Host.Get<ISchedulerFactory>().GetScheduler();
            await Eventually.Until(
                async () => !await scheduler.Exists(new JobKey($"run-{runId}", "phase-runs")),
                RunWaits.Timeout,
                $"the worker should have executed the job of run {runId}");
        }

        public async Task DisposeAsync()
        {
            if (_host is not null)
            {
                await _host.DisposeAsync();
            }
        }
    }

    /// <summary>Keeps the worker inside one run's job, after the executor returned and before Quartz finishes the job.</summary>
    private sealed class JobFinishingGate(Guid runId) : IJobListener
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => $"finishing-gate-{runId}";

        public Task Reached => _reached.Task;

        public void Open() => _open.TrySetResult();

        public async ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            if (context.MergedJobDataMap.GetString(PhaseRunJob.RunIdKey) == runId.ToString())
            {
                _reached.TrySetResult();
                await _open.Task;
            }
        }
    }

    /// <summary>Passes runs on to Quartz, except between <see cref="Hold"/> and <see cref="ReleaseAsync"/>.</summary>
    public sealed class HoldableScheduler(IPhaseRunScheduler worker) : IPhaseRunScheduler
    {
        private readonly ConcurrentQueue<Guid> _held = new();
        private volatile bool _holding;

        public void Hold() => _holding = true;

        public async Task ReleaseAsync()
        {
            _holding = false;
            while (_held.TryDequeue(out var runId))
            {
                await worker.ScheduleAsync(runId);
            }
        }

        public Task ScheduleAsync(Guid runId, CancellationToken cancellationToken = default)
        {
            if (_holding)
            {
                _held.Enqueue(runId);
                return Task.CompletedTask;
            }

            return worker.ScheduleAsync(runId, cancellationToken);
        }
    }
}
