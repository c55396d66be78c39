using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Execution;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Builds;

/// <summary>
/// The build services against a real database (SQLite, or PostgreSQL in its pass); runs are executed by calling the
/// executor, not by Quartz.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class BuildCommandsTests(ManualExecutionFixture fixture) : IClassFixture<ManualExecutionFixture>
{
    private const string Requirements = "Finance needs every month's invoices exported as one CSV file with totals.";

    private TestAppHost App => fixture.Host;
    private IBuildCommands Commands => App.Get<IBuildCommands>();
    private IBuildQueries Queries => App.Get<IBuildQueries>();

    public static TheoryData<string, string, string, string> InvalidRequests() => new()
    {
        { "ProjectName", "", "Invoice export", Requirements },
        { "Title", "Finance", "", Requirements },
        { "Title", "Finance", "   ", Requirements },
        { "Title", "Finance", "Invoice\u0007 export", Requirements },
        { "Title", "Finance", new string('t', Build.TitleMaxLength + 1), Requirements },
        { "Requirements", "Finance", "Invoice export", "Too short." },
        { "Requirements", "Finance", "Invoice export", new string('r', 50_001) },
        { "Requirements", "Finance", "Invoice export", "Finance needs the invoices\u0000 as one CSV file." },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task StartAsync_InvalidInput_ThrowsNamingTheFieldAndWritesNothing(string field, string project, string title, string requirements)
    {
        var actor = await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        var before = await CountRowsAsync();

        var error = await Assert.ThrowsAsync<InputValidationException>(() => Commands.StartAsync(actor, new NewBuildRequest(project, title, requirements)));

        Assert.Equal([field], error.Errors.Keys);
        Assert.NotEmpty(error.Errors[field].Single());
        Assert.Equal(before, await CountRowsAsync());
    }

    [Fact]
    public async Task StartAsync_RequirementsAtMaximumWithNewLines_IsAccepted()
    {
        var actor = await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        const string start = "Line one of the needs.\r\n\tLine two.\n";
        var requirements = start + new string('r', Build.RequirementsMaxLength - start.Length);

        var buildId = await Commands.StartAsync(actor, new NewBuildRequest("Limits", "Longest text", requirements));

        Assert.Equal(Build.RequirementsMaxLength, (await Queries.GetAsync(actor, buildId))!.Requirements.Length);
    }

    [Fact]
    public async Task StartAsync_ValidInput_CreatesProjectBuildQueuedDiscoveryRunAndAuditRows()
    {
        var actor = await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");

        var buildId = await Commands.StartAsync(actor, new NewBuildRequest(" Finance ", " Invoice export ", Requirements));

        await using var db = await App.CreateDbContextAsync();
        var build = await db.Builds.Include(b => b.Runs).SingleAsync(b => b.Id == buildId);
        var project = await db.Projects.Include(p => p.Members).SingleAsync(p => p.Id == build.ProjectId);
        var audit = await db.AuditEvents.Where(e => e.ProjectId == project.Id).OrderBy(e => e.Id).ToListAsync();

        Assert.Equal(("Invoice export", Requirements, BuildState.Discovery, actor.UserId), (build.Title, build.Requirements, build.State, build.CreatedBy));
        Assert.Equal("Finance", project.Name);
        Assert.Equal((actor.UserId, Core.Projects.ProjectRole.Owner), (project.Members.Single().UserId, project.Members.Single().Role));
        var run = Assert.Single(build.Runs);
        Assert.Equal((Phase.Discovery, 1, PhaseRunStatus.Queued, 0), (run.Phase, run.Attempt, run.Status, run.ExecutionCount));
        Assert.Equal([AuditActions.ProjectCreated, AuditActions.BuildStarted], audit.Select(e => e.Action));
        Assert.All(audit, e => Assert.Equal(actor.UserId, e.ActorId));
        Assert.Equal((buildId, "Created", "Discovery"), (audit[1].BuildId!.Value, audit[1].Before, audit[1].After));
        await fixture.Scheduler.HandedOverAsync(run.Id);
    }

    [Fact]
    public async Task StartAsync_SameProjectTwice_ReusesTheProject()
    {
        var actor = await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");

        var first = await Commands.StartAsync(actor, new NewBuildRequest("Payroll", "First", Requirements));
        var second = await Commands.StartAsync(actor, new NewBuildRequest("Payroll", "Second", Requirements));

        await using var db = await App.CreateDbContextAsync();
        var projectIds = await db.Builds.Where(b => b.Id == first || b.Id == second).Select(b => b.ProjectId).Distinct().ToListAsync();
        Assert.Single(projectIds);
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.ProjectId == projectIds[0] && e.Action == AuditActions.ProjectCreated));
    }

    [Fact]
    public async Task GetAndApprove_AnotherUsersBuild_LookExactlyLikeAMissingBuild()
    {
        var owner = await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        var stranger = await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        var (buildId, runId, version) = await StartAndCompleteDiscoveryAsync(owner);

        var seen = await Queries.GetAsync(stranger, buildId);
        var inspected = await Queries.InspectRunAsync(stranger, buildId, runId);
        var hidden = await Assert.ThrowsAsync<NotFoundException>(() => Commands.ApproveAsync(stranger, buildId, runId, version));
        var missing = await Assert.ThrowsAsync<NotFoundException>(() => Commands.ApproveAsync(stranger, Guid.NewGuid(), runId, version));

        Assert.Null(seen);
        Assert.Null(inspected);
        Assert.Equal(missing.Message, hidden.Message);
        var details = await Queries.GetAsync(owner, buildId);
        Assert.Equal((BuildState.Discovery, version, PhaseRunStatus.AwaitingApproval), (details!.State, details.Version, details.CurrentRun!.Status));
    }

    [Fact]
    public async Task ApproveAsync_StaleExpectedVersion_ThrowsConflictAndChangesNothing()
    {
        var actor = await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        var (buildId, runId, version) = await StartAndCompleteDiscoveryAsync(actor);
        var notices = await CountOutboxAsync();

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Commands.ApproveAsync(actor, buildId, runId, version - 1));

        var details = await Queries.GetAsync(actor, buildId);
        Assert.Equal((BuildState.Discovery, version), (details!.State, details.Version));
        Assert.Equal(PhaseRunStatus.AwaitingApproval, Assert.Single(details.Runs).Status);
        Assert.Equal(0, await CountAuditAsync(buildId, AuditActions.PhaseApproved));
        Assert.Equal(notices, await CountOutboxAsync());
    }

    [Fact]
    public async Task ApproveAsync_CurrentVersion_MovesToPlanningAndQueuesIt()
    {
        var actor = await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        var (buildId, runId, version) = await StartAndCompleteDiscoveryAsync(actor);

        await Commands.ApproveAsync(actor, buildId, runId, version);

        var details = await Queries.GetAsync(actor, buildId);
        Assert.Equal(BuildState.Planning, details!.State);
        Assert.True(details.Version > version);
        Assert.Equal(PhaseRunStatus.Approved, details.Runs.Single(r => r.Id == runId).Status);
        Assert.Equal(actor.DisplayName, details.Runs.Single(r => r.Id == runId).DecidedBy);
        Assert.Equal((Phase.Planning, PhaseRunStatus.Queued), (details.CurrentRun!.Phase, details.CurrentRun.Status));
        await fixture.Scheduler.HandedOverAsync(details.CurrentRun.Id);
        Assert.Equal(1, await CountAuditAsync(buildId, AuditActions.PhaseApproved));
    }

    [Fact]
    public async Task ApproveAsync_TwoAtOnceWithSameVersion_ExactlyOneWins()
    {
        var actor = await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        var colleague = new Actor(actor.UserId, "colleague@example.com");
        var (buildId, runId, version) = await StartAndCompleteDiscoveryAsync(actor);

        var outcomes = await Task.WhenAll(
            Outcome(() => Commands.ApproveAsync(actor, buildId, runId, version)),
            Outcome(() => Commands.ApproveAsync(colleague, buildId, runId, version)));

        Assert.Single(outcomes, e => e is null);
        var loser = Assert.Single(outcomes, e => e is not null);
        Assert.True(loser?.GetType() == typeof(ConcurrencyConflictException), $"The loser should see a ConcurrencyConflictException; it got {loser}");
        await using var db = await App.CreateDbContextAsync();
        var build = await db.Builds.Include(b => b.Runs).SingleAsync(b => b.Id == buildId);
        Assert.Equal(BuildState.Planning, build.State);
        Assert.Single(build.Runs, r => r.Phase == Phase.Planning);
        Assert.Equal(1, await CountAuditAsync(buildId, AuditActions.PhaseApproved));
    }

    private static async Task<Exception?> Outcome(Func<Task> action)
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

    /// <summary>Starts a build and runs its Discovery attempt with the offline model, as the worker would.</summary>
    private async Task<(Guid BuildId, Guid RunId, int Version)> StartAndCompleteDiscoveryAsync(Actor actor)
    {
        var buildId = await Commands.StartAsync(actor, new NewBuildRequest("Finance", "Invoice export", Requirements));
        var runId = (await Queries.GetAsync(actor, buildId))!.CurrentRun!.Id;
        await App.Get<PhaseRunExecutor>().ExecuteAsync(runId, CancellationToken.None);
        var details = await Queries.GetAsync(actor, buildId);
        Assert.Equal(PhaseRunStatus.AwaitingApproval, details!.CurrentRun!.Status);
        return (buildId, runId, details.Version);
    }

    private async Task<int> CountAuditAsync(Guid buildId, string action)
    {
        await using var db = await App.CreateDbContextAsync();
        return await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == action);
    }

    private async Task<int> CountOutboxAsync()
    {
        await using var db = await App.CreateDbContextAsync();
        return await db.OutboxMessages.CountAsync();
    }

    private async Task<(int Builds, int Projects, int Runs, int Audit)> CountRowsAsync()
    {
        await using var db = await App.CreateDbContextAsync();
        return (await db.Builds.CountAsync(), await db.Projects.CountAsync(), await db.PhaseRuns.CountAsync(), await db.AuditEvents.CountAsync());
    }
}
