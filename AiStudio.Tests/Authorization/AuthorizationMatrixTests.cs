using AiStudio.Core.Artifacts;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Execution;
using AiStudio.Core.Projects;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Authorization;

/// <summary>
/// Every service action for every kind of person: members act by role, an admin acts on anything, and a
/// non-member is told "not found", never "forbidden". A refused action changes nothing.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class AuthorizationMatrixTests(ManualExecutionFixture fixture) : IClassFixture<ManualExecutionFixture>
{
    private const string Requirements = "Customers receive an email reminder seven days before an invoice is due.";

    private TestAppHost App => fixture.Host;
    private IProjectService Projects => App.Get<IProjectService>();
    private IBuildCommands Commands => App.Get<IBuildCommands>();
    private IBuildQueries Queries => App.Get<IBuildQueries>();

    public static TheoryData<Subject, MatrixAction> Cases()
    {
        var cases = new TheoryData<Subject, MatrixAction>();
        foreach (var subject in Enum.GetValues<Subject>())
        {
            foreach (var action in Enum.GetValues<MatrixAction>())
            {
                cases.Add(subject, action);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Act_SubjectAndAction_AllowedNotFoundOrRefusedAsTheRulesSay(Subject subject, MatrixAction action)
    {
        var scene = await SetUpAsync(subject, action);
        var before = await SnapshotAsync(scene);

        var outcome = await OutcomeOfAsync(() => ActAsync(scene, action));

        Assert.Equal(Matrix.Expected(subject, action), outcome);
        var after = await SnapshotAsync(scene);
        if (outcome == Outcome.Allowed && Matrix.Changes(action))
        {
            Assert.NotEqual(before, after);
        }
        else
        {
            Assert.Equal(before, after);
        }
    }

    /// <returns>False when the service answered "nothing there" (null or absent) rather than throwing.</returns>
    private async Task<bool> ActAsync(Scene s, MatrixAction action)
    {
        var founderView = (await Queries.GetAsync(s.Founder, s.BuildId))!;
        var runId = founderView.CurrentRun!.Id;
        var version = founderView.Version;
        var projectVersion = (await Projects.GetAsync(s.Founder, s.ProjectId))!.Version;
        switch (action)
        {
            case MatrixAction.ViewBuild:
                return await Queries.GetAsync(s.Actor, s.BuildId) is not null;
            case MatrixAction.ListBoard:
                return (await Queries.GetBoardAsync(s.Actor)).Any(c => c.Id == s.BuildId);
            case MatrixAction.InspectRun:
                return await Queries.InspectRunAsync(s.Actor, s.BuildId, runId) is not null;
            case MatrixAction.StartBuildInProject:
                await Commands.StartAsync(s.Actor, new NewBuildRequest("", "Second build", Requirements, ProjectId: s.ProjectId));
                return true;
            case MatrixAction.Approve:
                await Commands.ApproveAsync(s.Actor, s.BuildId, runId, version);
                return true;
            case MatrixAction.EditApprove:
                await Commands.DecideAsync(s.Actor, s.BuildId, runId, version, new Verdict.Approve("# Requirements\n\nThe reviewer's version."));
                return true;
            case MatrixAction.Reject:
                await Commands.DecideAsync(s.Actor, s.BuildId, runId, version, new Verdict.Reject("Name the sender."));
                return true;
            case MatrixAction.SendBack:
                await Commands.DecideAsync(s.Actor, s.BuildId, runId, version, new Verdict.SendBack(Phase.Discovery, "Start over."));
                return true;
            case MatrixAction.Pause:
                await Commands.PauseAsync(s.Actor, s.BuildId, version);
                return true;
            case MatrixAction.Resume:
                await Commands.ResumeAsync(s.Actor, s.BuildId, version);
                return true;
            case MatrixAction.Cancel:
                await Commands.CancelAsync(s.Actor, s.BuildId, version, "No longer needed.");
                return true;
            case MatrixAction.Retry:
                await Commands.RetryAsync(s.Actor, s.BuildId, version);
                return true;
            case MatrixAction.ViewProject:
                return await Projects.GetAsync(s.Actor, s.ProjectId) is not null;
            case MatrixAction.AddMember:
                await Projects.AddMemberAsync(s.Actor, s.ProjectId, projectVersion, s.Newcomer.DisplayName, ProjectRole.Viewer);
                return true;
            case MatrixAction.ChangeRole:
                await Projects.ChangeRoleAsync(s.Actor, s.ProjectId, projectVersion, s.Bystander.UserId, ProjectRole.Viewer);
                return true;
            case MatrixAction.RemoveMember:
                await Projects.RemoveMemberAsync(s.Actor, s.ProjectId, projectVersion, s.Bystander.UserId);
                return true;
            case MatrixAction.UpdateSettings:
                await Projects.UpdateSettingsAsync(s.Actor, s.ProjectId, projectVersion, new ApprovalRules(true, 2));
                return true;
            case MatrixAction.DownloadArtifacts:
                return await App.Get<IArtifactService>().GetPhaseArtifactsAsync(s.Actor, s.BuildId, runId) is { Files.Count: > 0 };
            case MatrixAction.ExportBuild:
                return await App.Get<IArtifactService>().ExportBuildAsync(s.Actor, s.BuildId) is not null;
            default:
                throw new ArgumentOutOfRangeException(nameof(action));
        }
    }

    private static async Task<Outcome> OutcomeOfAsync(Func<Task<bool>> act)
    {
        try
        {
            return await act() ? Outcome.Allowed : Outcome.NotFound;
        }
        catch (NotFoundException)
        {
            return Outcome.NotFound;
        }
        catch (DomainException)
        {
            return Outcome.Refused;
        }
    }

    /// <summary>A project founded by someone else, the subject in it by role, and a build in the state the action needs.</summary>
    private async Task<Scene> SetUpAsync(Subject subject, MatrixAction action)
    {
        var founder = await NewUserAsync();
        var bystander = await NewUserAsync();
        var newcomer = await NewUserAsync();
        var actor = await NewUserAsync(isAdmin: subject == Subject.Admin);
        var projectId = await Projects.CreateAsync(founder, "Billing");
        await AddAsync(founder, projectId, bystander, ProjectRole.Editor);
        if (Matrix.RoleOf(subject) is { } role)
        {
            await AddAsync(founder, projectId, actor, role);
        }

        var buildId = await Commands.StartAsync(founder, new NewBuildRequest("", "Invoice reminders", Requirements, ProjectId: projectId));
        if (action == MatrixAction.Retry)
        {
            await FailCurrentRunAsync(buildId);
        }
        else
        {
            await ExecuteCurrentAsync(founder, buildId);
        }

        if (action == MatrixAction.SendBack)
        {
            var details = (await Queries.GetAsync(founder, buildId))!;
            await Commands.ApproveAsync(founder, buildId, details.CurrentRun!.Id, details.Version);
            await ExecuteCurrentAsync(founder, buildId);
        }

        if (action == MatrixAction.Resume)
        {
            await Commands.PauseAsync(founder, buildId, (await Queries.GetAsync(founder, buildId))!.Version);
        }

        return new Scene(actor, founder, bystander, newcomer, projectId, buildId);
    }

    private async Task ExecuteCurrentAsync(Actor actor, Guid buildId)
    {
        var runId = (await Queries.GetAsync(actor, buildId))!.CurrentRun!.Id;
        await App.Get<PhaseRunExecutor>().ExecuteAsync(runId, CancellationToken.None);
    }

    // What the executor does when the model fails after its retries.
    private async Task FailCurrentRunAsync(Guid buildId)
    {
        await using var db = await App.CreateDbContextAsync();
        var build = await db.Builds.Include(b => b.Runs).SingleAsync(b => b.Id == buildId);
        var run = build.CurrentRun!;
        var token = run.Claim(Guid.NewGuid(), DateTimeOffset.UtcNow);
        build.Fail(run, token, "The model server did not answer.", DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();
    }

    private async Task<Snapshot> SnapshotAsync(Scene s)
    {
        await using var db = await App.CreateDbContextAsync();
        var build = await db.Builds.AsNoTracking().SingleAsync(b => b.Id == s.BuildId);
        var project = await db.Projects.AsNoTracking().Include(p => p.Members).SingleAsync(p => p.Id == s.ProjectId);
        return new Snapshot(
            build.State,
            build.Version,
            await db.PhaseRuns.CountAsync(r => r.BuildId == s.BuildId),
            await db.Builds.CountAsync(b => b.ProjectId == s.ProjectId),
            project.Version,
            string.Join(",", project.Members.OrderBy(m => m.UserId).Select(m => $"{m.UserId}:{m.Role}")),
            await db.AuditEvents.CountAsync(e => e.ProjectId == s.ProjectId));
    }

    private async Task<Actor> NewUserAsync(bool isAdmin = false) => await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com", isAdmin);

    private async Task AddAsync(Actor owner, Guid projectId, Actor member, ProjectRole role) =>
        await Projects.AddMemberAsync(owner, projectId, (await Projects.GetAsync(owner, projectId))!.Version, member.DisplayName, role);

    private sealed record Scene(Actor Actor, Actor Founder, Actor Bystander, Actor Newcomer, Guid ProjectId, Guid BuildId);

    private sealed record Snapshot(BuildState State, int BuildVersion, int Runs, int ProjectBuilds, int ProjectVersion, string Members, int Audit);
}
