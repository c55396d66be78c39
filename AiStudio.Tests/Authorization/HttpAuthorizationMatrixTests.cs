using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AiStudio.Core.Builds;
using AiStudio.Core.Projects;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Authorization;

public enum HttpAction
{
    ApiGetBuild,
    ApiListBuilds,
    ApiGetPrompt,
    ApiStartBuildByName,
    ApiApprove,
    ApiEditApprove,
    ApiReject,
    ApiSendBack,
    ApiPause,
    ApiResume,
    ApiCancel,
    ApiRetry,
    CookieExportZip,
    CookiePhaseZip,
    CookieArtifactFile,
    CookieBuildPage,
    CookieProjectPage,
}

/// <summary>
/// The same rules as <see cref="AuthorizationMatrixTests"/> over HTTP: the REST API with each person's token, and the
/// cookie routes that take ids. A non-member gets 404 exactly as for an id that does not exist.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class HttpAuthorizationMatrixTests(HttpMatrixHost host) : IClassFixture<HttpMatrixHost>
{
    private const string Requirements = "Customers receive an email reminder seven days before an invoice is due.";

    public static TheoryData<Subject, HttpAction> Cases()
    {
        var cases = new TheoryData<Subject, HttpAction>();
        foreach (var subject in Enum.GetValues<Subject>())
        {
            foreach (var action in Enum.GetValues<HttpAction>())
            {
                cases.Add(subject, action);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Request_SubjectAndAction_AnsweredAsTheRulesSay(Subject subject, HttpAction action)
    {
        var scene = await SetUpAsync(subject, action);
        var before = await SnapshotAsync(scene);

        var outcome = await SendAsync(host[subject], scene, action);

        Assert.Equal(Expected(subject, action), outcome);
        var after = await SnapshotAsync(scene);
        var changes = outcome == Outcome.Allowed && Matrix.Changes(ServiceActionOf(action))
            && !(action == HttpAction.ApiStartBuildByName && Matrix.RoleOf(subject) is null);
        if (changes)
        {
            Assert.NotEqual(before, after);
        }
        else
        {
            Assert.Equal(before, after);
        }
    }

    [Fact]
    public async Task Verdict_StarterApprovesUnderSeparateApprover_Returns422AndAnotherEditorMayApprove()
    {
        var starter = host[Subject.Editor];
        var other = host[Subject.Owner];
        var project = await host.NewProjectAsync(Subject.Editor, new ApprovalRules(RequireSeparateApprover: true));
        await host.Get<IProjectService>().AddMemberAsync(host.Founder, project.Id,
            (await host.Get<IProjectService>().GetAsync(host.Founder, project.Id))!.Version, other.Actor.DisplayName, ProjectRole.Editor);
        using var started = await starter.Api.PostAsJsonAsync("api/builds", new { projectName = project.Name, title = "Invoice reminders", requirements = Requirements });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var buildId = Guid.Parse((string)(await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);
        var details = await host.AwaitApprovalAsync(starter.Actor, buildId, Phase.Discovery);
        var status = (await starter.Api.GetFromJsonAsync<JsonObject>($"api/builds/{buildId}"))!;

        using var refused = await Verdict(starter, buildId, details, new { verdict = "approve" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("You started this build", (string?)(await refused.Content.ReadFromJsonAsync<JsonObject>())!["detail"]);
        Assert.Equal(["reject", "pause", "cancel"], status["allowedActions"]!.AsArray().Select(a => (string?)a));
        Assert.Equal(details.Version, (await host.Get<IBuildQueries>().GetAsync(starter.Actor, buildId))!.Version);

        using var approved = await Verdict(other, buildId, details, new { verdict = "approve" });

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("Planning", (string?)(await approved.Content.ReadFromJsonAsync<JsonObject>())!["state"]);
    }

    private static Outcome Expected(Subject subject, HttpAction action) =>
        action == HttpAction.ApiStartBuildByName
            // By name, a non-member or admin starts in a project of their own of that name: the founder's is untouched.
            ? subject == Subject.Viewer ? Outcome.Refused : Outcome.Allowed
            : Matrix.Expected(subject, ServiceActionOf(action));

    private static MatrixAction ServiceActionOf(HttpAction action) => action switch
    {
        HttpAction.ApiGetBuild or HttpAction.CookieBuildPage => MatrixAction.ViewBuild,
        HttpAction.ApiListBuilds => MatrixAction.ListBoard,
        HttpAction.ApiGetPrompt => MatrixAction.InspectRun,
        HttpAction.ApiStartBuildByName => MatrixAction.StartBuildInProject,
        HttpAction.ApiApprove => MatrixAction.Approve,
        HttpAction.ApiEditApprove => MatrixAction.EditApprove,
        HttpAction.ApiReject => MatrixAction.Reject,
        HttpAction.ApiSendBack => MatrixAction.SendBack,
        HttpAction.ApiPause => MatrixAction.Pause,
        HttpAction.ApiResume => MatrixAction.Resume,
        HttpAction.ApiCancel => MatrixAction.Cancel,
        HttpAction.ApiRetry => MatrixAction.Retry,
        HttpAction.CookieExportZip => MatrixAction.ExportBuild,
        HttpAction.CookiePhaseZip or HttpAction.CookieArtifactFile => MatrixAction.DownloadArtifacts,
        HttpAction.CookieProjectPage => MatrixAction.ViewProject,
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    private async Task<Outcome> SendAsync(Person person, Scene s, HttpAction action)
    {
        var runId = s.Details.CurrentRun!.Id;
        var version = s.Details.Version;
        using var response = action switch
        {
            HttpAction.ApiGetBuild => await person.Api.GetAsync($"api/builds/{s.BuildId}"),
            HttpAction.ApiListBuilds => await person.Api.GetAsync("api/builds"),
            HttpAction.ApiGetPrompt => await person.Api.GetAsync($"api/builds/{s.BuildId}/prompt?runId={runId}"),
            HttpAction.ApiStartBuildByName => await person.Api.PostAsJsonAsync("api/builds", new { projectName = s.ProjectName, title = "Second build", requirements = Requirements }),
            HttpAction.ApiApprove => await Verdict(person, s.BuildId, s.Details, new { verdict = "approve" }),
            HttpAction.ApiEditApprove => await Verdict(person, s.BuildId, s.Details, new { verdict = "approve", editedOutput = "# Requirements\n\nThe reviewer's version." }),
            HttpAction.ApiReject => await Verdict(person, s.BuildId, s.Details, new { verdict = "reject", reason = "Name the sender." }),
            HttpAction.ApiSendBack => await Verdict(person, s.BuildId, s.Details, new { verdict = "send-back", targetPhase = "Discovery", reason = "Start over." }),
            HttpAction.ApiPause => await person.Api.PostAsJsonAsync($"api/builds/{s.BuildId}/pause", new { expectedVersion = version }),
            HttpAction.ApiResume => await person.Api.PostAsJsonAsync($"api/builds/{s.BuildId}/resume", new { expectedVersion = version }),
            HttpAction.ApiRetry => await person.Api.PostAsJsonAsync($"api/builds/{s.BuildId}/retry", new { expectedVersion = version }),
            HttpAction.ApiCancel => await person.Api.PostAsJsonAsync($"api/builds/{s.BuildId}/cancel", new { expectedVersion = version, reason = "No longer needed." }),
            HttpAction.CookieExportZip => await person.Cookies.GetAsync($"builds/{s.BuildId}/export.zip"),
            HttpAction.CookiePhaseZip => await person.Cookies.GetAsync($"builds/{s.BuildId}/runs/{runId}/artifacts.zip"),
            HttpAction.CookieArtifactFile => await person.Cookies.GetAsync($"builds/{s.BuildId}/runs/{runId}/artifacts/requirements_document.md"),
            HttpAction.CookieBuildPage => await person.Cookies.GetAsync($"builds/{s.BuildId}"),
            HttpAction.CookieProjectPage => await person.Cookies.GetAsync($"projects/{s.ProjectId}"),
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };
        var body = await response.Content.ReadAsStringAsync();
        return (action, response.StatusCode) switch
        {
            (HttpAction.ApiListBuilds, HttpStatusCode.OK) => body.Contains(s.BuildId.ToString()) ? Outcome.Allowed : Outcome.NotFound,
            (HttpAction.CookieBuildPage, HttpStatusCode.OK) => body.Contains("Build not found") ? Outcome.NotFound : Outcome.Allowed,
            (HttpAction.CookieProjectPage, HttpStatusCode.OK) => body.Contains("Project not found") ? Outcome.NotFound
                : body.Contains(s.ProjectName) ? Outcome.Allowed : throw new InvalidOperationException("The project page shows neither the project nor not found."),
            (_, HttpStatusCode.OK or HttpStatusCode.Created) => Outcome.Allowed,
            (_, HttpStatusCode.NotFound) => Outcome.NotFound,
            (_, HttpStatusCode.UnprocessableEntity) => Outcome.Refused,
            _ => throw new InvalidOperationException($"{action} answered {(int)response.StatusCode}: {body}"),
        };
    }

    private static Task<HttpResponseMessage> Verdict(Person person, Guid buildId, BuildDetails details, object verdict)
    {
        var json = JsonSerializerHelpers.Merge(new { runId = details.CurrentRun!.Id, expectedVersion = details.Version }, verdict);
        return person.Api.PostAsJsonAsync($"api/builds/{buildId}/verdicts", json);
    }

    private async Task<Scene> SetUpAsync(Subject subject, HttpAction action)
    {
        var founder = host.Founder;
        var commands = host.Get<IBuildCommands>();
        var (projectId, projectName) = await host.NewProjectAsync(subject);
        var buildId = await commands.StartAsync(founder, new NewBuildRequest("", "Invoice reminders", Requirements, ProjectId: projectId));
        var details = await host.AwaitApprovalAsync(founder, buildId, Phase.Discovery);
        switch (action)
        {
            case HttpAction.ApiSendBack:
                await commands.ApproveAsync(founder, buildId, details.CurrentRun!.Id, details.Version);
                details = await host.AwaitApprovalAsync(founder, buildId, Phase.Planning);
                break;
            case HttpAction.ApiResume:
                await commands.PauseAsync(founder, buildId, details.Version);
                break;
            case HttpAction.ApiRetry:
                await FailAsync(buildId, details.CurrentRun!.Id);
                break;
        }

        details = (await host.Get<IBuildQueries>().GetAsync(founder, buildId))!;
        return new Scene(projectId, projectName, buildId, details);
    }

    // The worker is idle while Discovery awaits approval; this stands in for a model that failed after its retries.
    private async Task FailAsync(Guid buildId, Guid runId)
    {
        await using var db = await host.CreateDbContextAsync();
        await db.PhaseRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(u => u
            .SetProperty(r => r.Status, PhaseRunStatus.Failed)
            .SetProperty(r => r.Error, "The model server did not answer."));
        await db.Builds.Where(b => b.Id == buildId).ExecuteUpdateAsync(u => u
            .SetProperty(b => b.State, BuildState.Failed)
            .SetProperty(b => b.SuspendedPhase, (Phase?)Phase.Discovery)
            .SetProperty(b => b.StatusReason, "The model server did not answer.")
            .SetProperty(b => b.Version, b => b.Version + 1));
    }

    private async Task<Snapshot> SnapshotAsync(Scene s)
    {
        await using var db = await host.CreateDbContextAsync();
        var build = await db.Builds.AsNoTracking().SingleAsync(b => b.Id == s.BuildId);
        return new Snapshot(
            build.State,
            build.Version,
            await db.PhaseRuns.CountAsync(r => r.BuildId == s.BuildId),
            await db.Builds.CountAsync(b => b.ProjectId == s.ProjectId),
            await db.AuditEvents.CountAsync(e => e.ProjectId == s.ProjectId));
    }

    private sealed record Scene(Guid ProjectId, string ProjectName, Guid BuildId, BuildDetails Details);

    private sealed record Snapshot(BuildState State, int BuildVersion, int Runs, int ProjectBuilds, int Audit);
}

internal static class JsonSerializerHelpers
{
    public static JsonObject Merge(object first, object second)
    {
        var merged = System.Text.Json.JsonSerializer.SerializeToNode(first)!.AsObject();
        foreach (var (key, value) in System.Text.Json.JsonSerializer.SerializeToNode(second)!.AsObject())
        {
            merged[key] = value?.DeepClone();
        }

        return merged;
    }
}
